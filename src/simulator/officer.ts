import type { Checkpoint, Zone } from '../domain/checkpoints.js';
import { GeofenceEngine } from '../domain/geofence/engine.js';
import { newId } from '../domain/ids.js';
import type { SessionUser } from '../domain/protocol/auth.js';
import { MAX_BATCH_RECORDS, type PullResponse, type PushResponse } from '../domain/protocol/sync.js';
import type { BodyOf, RecordKind, SignedRecord } from '../domain/records.js';
import { freshPassword, type SimAccount } from './accounts.js';
import { SimDevice } from './device.js';
import { SimClient } from './http.js';
import type { Walk } from './route.js';
import type { Tally } from './tally.js';

/** What an officer needs from the server before the shift: who they are, their device, their squad's zones and checkpoints. */
export interface Briefing {
  user: SessionUser;
  zones: Zone[];
  checkpoints: Checkpoint[];
}

/**
 * A new officer's first minutes on a new handheld: signs in with the one-time password, sets
 * their own, registers the device key and pulls the squad's zones and checkpoints.
 */
export async function brief(base: URL, account: SimAccount): Promise<{ client: SimClient; device: SimDevice; briefing: Briefing }> {
  const client = new SimClient(base);
  const { user } = await client.json<{ user: SessionUser }>('POST', '/api/auth/login', { badge: account.badge, password: account.oneTimePassword });
  await client.json('POST', '/api/auth/password', { current: account.oneTimePassword, next: freshPassword() });
  const device = await SimDevice.create(user.id);
  await client.json('POST', '/api/devices', await device.registration(`simulator ${account.badge}`));
  const zones: Zone[] = [];
  const checkpoints: Checkpoint[] = [];
  let cursor = '0';
  for (;;) {
    const page = await client.json<PullResponse>('GET', `/api/sync/pull?cursor=${cursor}`);
    for (const change of page.changes) {
      if (change.op !== 'upsert' || !change.data) continue;
      if (change.entity === 'zone') zones.push(change.data as unknown as Zone);
      if (change.entity === 'checkpoint') checkpoints.push(change.data as unknown as Checkpoint);
    }
    cursor = page.cursor;
    if (!page.more) break;
  }
  return { client, device, briefing: { user, zones, checkpoints } };
}

/** One officer's shift, made record by record at simulated times, held in an outbox until pushed. */
export interface ShiftPlan {
  walk: Walk;
  zone: Zone;
  /** A plate when the patrol is in a vehicle. */
  vehicle: string | null;
  /** Milliseconds into the shift when tracking pauses (the screen turned off), and for how long. */
  pauseAtMs: number;
  pauseMs: number;
  /** Without a network from the start until the simulation's reconnect time. */
  offline: boolean;
}

export class SimOfficer {
  /** Made and not yet acknowledged, oldest first. */
  private outbox: SignedRecord[] = [];
  /** Ids of every record made, by kind: what the audit must show at the end. */
  readonly made = new Map<string, RecordKind>();
  private readonly shiftId = newId();
  private readonly geofence: GeofenceEngine;
  private startedAt = 0;
  private nextFixAt = 0;
  private paused = false;
  private ended = false;
  private pushing = false;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private retryAfter = 0;

  constructor(
    readonly badge: string,
    readonly client: SimClient,
    readonly device: SimDevice,
    readonly briefing: Briefing,
    readonly plan: ShiftPlan,
    private readonly fixMs: number,
    private readonly random: () => number,
  ) {
    this.geofence = new GeofenceEngine(briefing.checkpoints.filter((c) => c.zoneId === plan.zone.id));
  }

  get pending(): number {
    return this.outbox.length;
  }

  async start(now: number, plannedEndAt: number): Promise<void> {
    this.startedAt = now;
    this.nextFixAt = now;
    const { user } = this.briefing;
    await this.make(
      'shift.start',
      {
        shiftId: this.shiftId,
        squadId: user.squadId ?? '',
        members: [user.id],
        vehicle: this.plan.vehicle,
        equipment: [{ item: 'radio' }],
        zoneIds: [this.plan.zone.id],
        plannedEndAt: new Date(plannedEndAt).toISOString(),
      },
      now,
    );
    await this.make('tracking', { shiftId: this.shiftId, state: 'on', reason: 'shift-start' }, now);
  }

  /** Makes every fix (and pause) due by `now`. */
  async advance(now: number): Promise<void> {
    while (!this.ended && this.nextFixAt <= now) {
      const at = this.nextFixAt;
      this.nextFixAt += this.fixMs;
      const elapsed = at - this.startedAt;
      const inPause = elapsed >= this.plan.pauseAtMs && elapsed < this.plan.pauseAtMs + this.plan.pauseMs;
      if (inPause !== this.paused) {
        this.paused = inPause;
        if (inPause) this.geofence.gap();
        await this.make('tracking', { shiftId: this.shiftId, state: inPause ? 'paused' : 'on', reason: inPause ? 'page-hidden' : 'page-visible' }, at);
      }
      if (!inPause) await this.fix(at, elapsed);
    }
  }

  async end(now: number): Promise<void> {
    await this.advance(now);
    this.ended = true;
    await this.make('tracking', { shiftId: this.shiftId, state: 'off', reason: 'shift-end' }, now);
    await this.make('shift.end', { shiftId: this.shiftId, equipmentReturned: [{ item: 'radio' }] }, now);
  }

  /** Whether a push is due: online (an offline device from `reconnectAt`), nothing in flight, something waiting, the flush interval passed. */
  pushDue(now: number, everyMs: number, realNow: number, reconnectAt: number): boolean {
    return (
      (!this.plan.offline || now >= reconnectAt) &&
      !this.pushing &&
      this.outbox.length > 0 &&
      realNow >= this.retryAfter &&
      (this.ended || now - this.lastPushAt >= everyMs)
    );
  }

  /** Sends the oldest waiting records (one batch); keeps whatever the server did not take for good. */
  async push(now: number, tally: Tally): Promise<void> {
    this.pushing = true;
    this.lastPushAt = now;
    const batch = this.outbox.slice(0, MAX_BATCH_RECORDS);
    const started = performance.now();
    try {
      const response = await this.client.request('POST', '/api/sync/push', { records: batch });
      const text = await response.text();
      tally.latency(performance.now() - started);
      if (response.status === 503 || response.status === 429) {
        tally.busy++;
        this.retryAfter = performance.now() + 1000 * Number(response.headers.get('retry-after') ?? 1);
        return;
      }
      if (!response.ok) {
        tally.failedRequests++;
        tally.problem(`push ${response.status}: ${text.slice(0, 200)}`);
        this.retryAfter = performance.now() + 2000;
        return;
      }
      const { results } = JSON.parse(text) as PushResponse;
      const settled = new Set<string>();
      for (const result of results) {
        if (result.status === 'retry') continue;
        settled.add(result.id);
        if (result.status === 'accepted') tally.accepted++;
        else if (result.status === 'duplicate') tally.duplicates++;
        else {
          tally.rejected++;
          tally.problem(`rejected ${result.id}: ${result.reason ?? '?'}`);
        }
      }
      this.outbox = this.outbox.filter((r) => !settled.has(r.id));
    } catch (error) {
      tally.failedRequests++;
      tally.problem(`push failed: ${(error as Error).message}`);
      this.retryAfter = performance.now() + 2000;
    } finally {
      this.pushing = false;
    }
  }

  private async fix(at: number, elapsed: number): Promise<void> {
    const fix = this.plan.walk.fixAt(elapsed);
    // A phone's fix wobbles by a few metres and its accuracy changes fix to fix.
    const jitterM = 2;
    const lat = fix.lat + ((this.random() - 0.5) * 2 * jitterM) / 111_320;
    const lon = fix.lon + ((this.random() - 0.5) * 2 * jitterM) / (111_320 * Math.cos((fix.lat * Math.PI) / 180));
    const accuracy = Math.round((4 + this.random() * 8) * 10) / 10;
    const fixAt = new Date(at).toISOString();
    const record = await this.make(
      'position',
      { shiftId: this.shiftId, lat, lon, accuracy, altitude: fix.altitude, speed: fix.speed, heading: fix.heading, fixAt },
      at,
    );
    for (const event of this.geofence.offer({ recordId: record.id, lat, lon, accuracy, fixAt: at })) {
      if (event.type !== 'checkin') continue;
      await this.make(
        'checkin',
        {
          shiftId: this.shiftId,
          checkpointId: event.checkpointId,
          method: 'geofence',
          enteredAt: new Date(event.enteredAt).toISOString(),
          dwellS: event.dwellS,
          evidence: event.evidence,
        },
        at,
      );
    }
  }

  private async make<K extends RecordKind>(kind: K, body: BodyOf<K>, at: number): Promise<SignedRecord> {
    const record = await this.device.next(kind, body, new Date(at));
    this.outbox.push(record);
    this.made.set(record.id, kind);
    return record;
  }
}
