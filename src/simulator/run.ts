import type { Checkpoint, Zone } from '../domain/checkpoints.js';
import type { AuditTrackResponse } from '../domain/protocol/track-audit.js';
import { provisionAccounts, type SimAccount } from './accounts.js';
import { brief, SimOfficer, type ShiftPlan } from './officer.js';
import type { SimOptions } from './options.js';
import { seededRandom } from './random.js';
import { Walk } from './route.js';
import { Tally } from './tally.js';
import { loadTracks, TRACE_FILES, type TracePoint } from './traces.js';

/** What a run found; `missing` must be 0, and `rejected` too unless a run asks for bad records. */
export interface SimReport {
  officers: number;
  sent: number;
  /** The records sent, by kind (check-ins are those the geofence engine made at the checkpoints passed). */
  byKind: Record<string, number>;
  accepted: number;
  duplicates: number;
  rejected: number;
  busy: number;
  failedRequests: number;
  pushes: number;
  p50Ms: number;
  p99Ms: number;
  /** Accepted records per real second over the run and its drain. */
  recordsPerSecond: number;
  /** Records made that the server did not hold at the end (sent minus accepted and duplicates). */
  unsettled: number;
  /** Officers whose audit track was read back, and the records of theirs it lacked. */
  verified: number;
  missing: number;
  /** Chains the audit found broken, gapped or badly signed among the verified officers. */
  brokenChains: number;
  problems: string[];
  realSeconds: number;
}

const ON_FOOT_TRACKS = [TRACE_FILES.osakaWalk, TRACE_FILES.osakaPause, TRACE_FILES.beijingLong, TRACE_FILES.beijingMarathon];
/** One patrol in this many is in a vehicle, on the recorded drive. */
const VEHICLE_EVERY = 5;
const TICK_MS = 100;
/** How long, in real time, the end of a run may take to deliver what is still waiting. */
const DRAIN_MS = 5 * 60_000;
/** How many officers sign in at once before the run (each sign-in is a slow password hash on the server). */
const BRIEFING_CONCURRENCY = 4;

/** Drives the server at `options.url` with simulated officers, then checks it holds what they sent. */
export async function simulate(
  options: SimOptions,
  log: (line: string) => void = () => {},
  provision: (options: SimOptions, log: (line: string) => void) => Promise<SimAccount[]> = provisionAccounts,
): Promise<SimReport> {
  const random = seededRandom(options.seed);
  const shiftMs = Math.max(options.minutes, options.offlineMinutes) * 60_000;
  const tracks = [...ON_FOOT_TRACKS, TRACE_FILES.munichDrive].map((name) => longestTimed(loadTracks(name)));

  log(`creating ${options.officers} simulated officers through the roster import`);
  const accounts = await provision(options, log);

  log(`signing them in, registering a device key each and pulling their zones`);
  const officers: SimOfficer[] = [];
  // The offline ones are spread over the roster, so they come from every squad.
  const offlineCount = Math.round(options.officers * options.offlineShare);
  const offlineIndices = new Set(Array.from({ length: offlineCount }, (_, k) => Math.floor((k * options.officers) / offlineCount)));
  await inBatches(accounts, BRIEFING_CONCURRENCY, async (account, i) => {
    const { client, device, briefing } = await brief(options.url, account);
    const zones = briefing.zones.filter((z) => z.squadId === briefing.user.squadId);
    const zone = zones[Math.floor(random() * zones.length)];
    if (!zone) throw new Error(`${account.badge}'s squad has no patrol zone to walk`);
    const inVehicle = i % VEHICLE_EVERY === VEHICLE_EVERY - 1;
    const track = inVehicle ? tracks[tracks.length - 1]! : tracks[i % ON_FOOT_TRACKS.length]!;
    const checkpoint = pick(
      briefing.checkpoints.filter((c) => c.zoneId === zone.id),
      random,
    );
    const stopMs = ((checkpoint?.minDwellS ?? 60) + 30) * 1000;
    const stopAtMs = shiftMs * (0.15 + random() * 0.3);
    // The pause falls in the longer stretch before or after the stop, never across it: a pause
    // ends a geofence visit, so one across the stop would cost the check-in the walk is built for.
    const pauseMs = Math.min(2 * 60_000, shiftMs * 0.1);
    const after = shiftMs - (stopAtMs + stopMs);
    const [from, room] = after > stopAtMs ? [stopAtMs + stopMs, after] : [0, stopAtMs];
    const plan: ShiftPlan = {
      walk: Walk.plan(track, {
        startIndex: Math.floor(random() * track.length * 0.5),
        angle: random() * 2 * Math.PI,
        anchor: checkpoint ? checkpointCentre(checkpoint) : zoneCentre(zone),
        stopAtMs,
        stopMs,
        durationMs: shiftMs,
      }),
      zone,
      vehicle: inVehicle ? `SIM-${String(i + 1).padStart(4, '0')}` : null,
      pauseAtMs: from + Math.max(0, room - pauseMs) * random(),
      pauseMs: Math.min(pauseMs, room),
      offline: offlineIndices.has(i),
    };
    officers[i] = new SimOfficer(account.badge, client, device, briefing, plan, options.fixSeconds * 1000, seededRandom(options.seed * 7919 + i));
  });

  // The simulated clock runs `speedup` times real time and reaches the real now as the run ends,
  // so no record is dated in the server's future.
  const realStart = performance.now();
  const simStart = Date.now() + shiftMs / options.speedup - shiftMs;
  const simEnd = simStart + shiftMs;
  const simNow = () => Math.min(simEnd, simStart + (performance.now() - realStart) * options.speedup);
  const reconnectAt = simStart + options.offlineMinutes * 60_000;
  const offline = officers.filter((o) => o.plan.offline).length;
  log(
    `patrolling: ${officers.length} officers (${offline} offline for ${options.offlineMinutes} min), ${shiftMs / 60_000} simulated minutes at ${options.speedup}×`,
  );

  const tally = new Tally();
  const inFlight = new Set<Promise<void>>();
  const pushEveryMs = options.pushSeconds * 1000;
  const kick = (now: number) => {
    for (const officer of officers) {
      if (!officer.pushDue(now, pushEveryMs, performance.now(), reconnectAt)) continue;
      const push = officer.push(now, tally).finally(() => inFlight.delete(push));
      inFlight.add(push);
    }
  };
  await Promise.all(officers.map((o) => o.start(simStart, simEnd)));
  let lastReport = performance.now();
  for (let now = simNow(); now < simEnd; now = simNow()) {
    for (const officer of officers) await officer.advance(now);
    kick(now);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      log(
        `  ${Math.round((now - simStart) / 60_000)}/${shiftMs / 60_000} min: ${tally.accepted} accepted, ${officers.reduce((n, o) => n + o.pending, 0)} waiting on devices`,
      );
    }
    await sleep(TICK_MS);
  }
  for (const officer of officers) await officer.end(simEnd);

  const drainUntil = performance.now() + DRAIN_MS;
  while ((officers.some((o) => o.pending > 0) || inFlight.size > 0) && performance.now() < drainUntil) {
    kick(simEnd);
    await sleep(TICK_MS);
  }
  await Promise.all(inFlight);
  const realSeconds = (performance.now() - realStart) / 1000;
  const sent = officers.reduce((n, o) => n + o.made.size, 0);
  const byKind: Record<string, number> = {};
  for (const officer of officers) for (const kind of officer.made.values()) byKind[kind] = (byKind[kind] ?? 0) + 1;

  log(`verifying ${Math.min(options.verifySample, officers.length)} officers' audit tracks`);
  const sample = sampleOf(officers, options.verifySample);
  let missing = 0;
  let brokenChains = 0;
  for (const officer of sample) {
    const found = await auditedIds(officer, simStart - 60_000, simEnd + 60_000);
    for (const [id, kind] of officer.made) if ((kind === 'position' || kind === 'tracking') && !found.ids.has(id)) missing++;
    brokenChains += found.broken;
  }
  return {
    officers: officers.length,
    sent,
    byKind,
    accepted: tally.accepted,
    duplicates: tally.duplicates,
    rejected: tally.rejected,
    busy: tally.busy,
    failedRequests: tally.failedRequests,
    pushes: tally.latenciesMs.length,
    p50Ms: tally.percentile(50),
    p99Ms: tally.percentile(99),
    recordsPerSecond: tally.accepted / realSeconds,
    unsettled: sent - tally.accepted - tally.duplicates - tally.rejected,
    verified: sample.length,
    missing,
    brokenChains,
    problems: tally.problems,
    realSeconds,
  };
}

/** The ids of an officer's positions and tracking changes that the audit holds in the window, and how many chains it found broken. */
async function auditedIds(officer: SimOfficer, from: number, to: number): Promise<{ ids: Set<string>; broken: number }> {
  const ids = new Set<string>();
  let broken = 0;
  let after = '';
  const window = `officerId=${officer.briefing.user.id}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  do {
    const page = await officer.client.json<AuditTrackResponse>('GET', `/api/audit/track?${window}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    for (const p of page.points) ids.add(p.id);
    for (const t of page.tracking) ids.add(t.id);
    for (const d of page.verification.devices) {
      if (d.gaps.length || d.brokenLinks.length || d.badSignatures.length || d.hashMismatches.length || d.truncated) broken++;
    }
    after = page.next ?? '';
  } while (after);
  return { ids, broken };
}

/** Every offline officer first (theirs is the riskier delivery), then others spread over the roster. */
function sampleOf(officers: readonly SimOfficer[], size: number): SimOfficer[] {
  const offline = officers.filter((o) => o.plan.offline);
  const online = officers.filter((o) => !o.plan.offline);
  const fromOffline = offline.slice(0, Math.ceil(size / 2));
  const rest = size - fromOffline.length;
  const step = Math.max(1, Math.floor(online.length / Math.max(1, rest)));
  return [...fromOffline, ...online.filter((_, i) => i % step === 0).slice(0, rest)];
}

function longestTimed(tracks: readonly TracePoint[][]): TracePoint[] {
  return tracks.map((t) => t.filter((p) => p.time !== null)).reduce((a, b) => (b.length > a.length ? b : a), []);
}

function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items[Math.floor(random() * items.length)];
}

function checkpointCentre(checkpoint: Checkpoint): { lat: number; lon: number } {
  if (checkpoint.shape.kind === 'circle') return { lon: checkpoint.shape.center[0], lat: checkpoint.shape.center[1] };
  return ringCentre(checkpoint.shape.polygon.coordinates[0] ?? []);
}

function zoneCentre(zone: Zone): { lat: number; lon: number } {
  return ringCentre(zone.polygon.coordinates[0] ?? []);
}

function ringCentre(ring: ReadonlyArray<readonly number[]>): { lat: number; lon: number } {
  const points = ring.slice(0, -1);
  const n = points.length || 1;
  return { lon: points.reduce((s, p) => s + (p[0] ?? 0), 0) / n, lat: points.reduce((s, p) => s + (p[1] ?? 0), 0) / n };
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
