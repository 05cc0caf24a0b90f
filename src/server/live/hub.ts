import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { LIVE_RETENTION_MS, type LiveMessage } from '../../domain/protocol/live.js';
import type { Database } from '../db/index.js';
import type { LiveEventTable, Tables } from '../db/schema.js';
import { LIVE_CHANNEL } from './publish.js';

/** Where a connection's events go (an SSE response in production). */
export interface LiveSink {
  event(id: number, message: LiveMessage): void;
  /** The client's resume point is gone: it must pull to catch up. */
  resync(): void;
  /** The server is shutting down. */
  end(): void;
}

interface Client {
  user: SessionUser;
  sink: LiveSink;
  /** Highest id this client has been sent or told it has; never send it anything at or below. */
  seen: number;
}

/** Events read from the table per round; a larger backlog takes several. */
const PAGE = 1000;
/** Wake-ups can be lost (a dropped LISTEN connection): look anyway this often. */
const SAFETY_POLL_MS = 5_000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * The live channel's fan-out in one server process. Every process reads the same `live_events`
 * table when woken (NOTIFY on PostgreSQL), so any process can serve any client and nothing lives
 * in one process's memory alone. One queue orders everything: a client's replay and the live
 * events after it never overlap or leave a gap.
 */
export class LiveHub {
  private readonly clients = new Set<Client>();
  private dispatched = 0;
  private queue: Promise<void> = Promise.resolve();
  private pending = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopListening: () => void = () => undefined;

  private constructor(
    private readonly db: Kysely<Tables>,
    private readonly now: () => Date,
  ) {}

  static async start(database: Database, now: () => Date, safetyPollMs = SAFETY_POLL_MS): Promise<LiveHub> {
    const hub = new LiveHub(database.db, now);
    hub.dispatched = await hub.newestId();
    hub.stopListening = database.notifier.listen(LIVE_CHANNEL, () => hub.wake());
    hub.timers.push(setInterval(() => hub.wake(), safetyPollMs).unref());
    hub.timers.push(setInterval(() => void hub.prune().catch((error: Error) => console.error('live prune failed:', error.message)), PRUNE_EVERY_MS).unref());
    return hub;
  }

  /**
   * Joins a client. With `lastEventId` (a reconnect), first replays what it missed and may see,
   * or tells it to resync when that is no longer kept. Returns the way to leave.
   */
  async attach(user: SessionUser, lastEventId: number | null, sink: LiveSink): Promise<() => void> {
    // A new client starts from now, when it is told it is connected, not when its turn in the
    // queue comes: a round already queued may dispatch a change made in between, which it would
    // otherwise never be sent.
    const start = lastEventId ?? this.dispatched;
    const client: Client = { user, sink, seen: start };
    await this.serially(async () => {
      // A resume point no longer kept (pruned) or never given out (another database's) can only be resynced.
      const unknown = lastEventId !== null && (lastEventId < (await this.counter('live-pruned')) || lastEventId > (await this.counter('changes')));
      if (unknown) {
        client.seen = this.dispatched;
        sink.resync();
      } else {
        for (let from = start; from < this.dispatched;) {
          const rows = await this.eventsAfter(from, this.dispatched);
          if (rows.length === 0) break;
          for (const row of rows) this.deliver(client, row);
          from = rows[rows.length - 1]!.id;
        }
      }
      this.clients.add(client);
    });
    return () => this.clients.delete(client);
  }

  /** Ends every stream and waits for a round already under way, so none reads a closed database. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopListening();
    for (const timer of this.timers) clearInterval(timer);
    for (const client of [...this.clients]) client.sink.end();
    this.clients.clear();
    await this.queue;
  }

  /** Coalesces wake-ups: one read serves every commit that happened before it. */
  private wake(): void {
    if (this.pending || this.closed) return;
    this.pending = true;
    void this.serially(async () => {
      this.pending = false;
      for (;;) {
        const rows = await this.eventsAfter(this.dispatched);
        for (const row of rows) {
          for (const client of this.clients) this.deliver(client, row);
          this.dispatched = row.id;
        }
        if (rows.length < PAGE) break;
      }
    }).catch((error: Error) => console.error('live dispatch failed:', error.message));
  }

  private deliver(client: Client, row: LiveEventTable): void {
    if (row.id <= client.seen || !visibleTo(client.user, row)) return;
    client.seen = row.id;
    client.sink.event(row.id, { kind: row.kind as LiveMessage['kind'], at: row.at, data: JSON.parse(row.payload) as Record<string, unknown> });
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private eventsAfter(after: number, upTo?: number): Promise<LiveEventTable[]> {
    return this.db
      .selectFrom('live_events')
      .selectAll()
      .where('id', '>', after)
      .$if(upTo !== undefined, (qb) => qb.where('id', '<=', upTo!))
      .orderBy('id')
      .limit(PAGE)
      .execute();
  }

  private async newestId(): Promise<number> {
    const row = await this.db
      .selectFrom('live_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  private async counter(name: 'changes' | 'live-pruned'): Promise<number> {
    const row = await this.db.selectFrom('sync_counters').select('value').where('name', '=', name).executeTakeFirst();
    return Number(row?.value ?? 0);
  }

  /** Drops events older than the retention, remembering the newest id dropped. */
  async prune(): Promise<void> {
    const cutoff = new Date(this.now().getTime() - LIVE_RETENTION_MS).toISOString();
    await this.db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom('live_events')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('at', '<', cutoff)
        .executeTakeFirst();
      const newest = Number(doomed?.id ?? 0);
      if (!newest) return;
      await trx.deleteFrom('live_events').where('id', '<=', newest).execute();
      await trx.updateTable('sync_counters').set({ value: newest }).where('name', '=', 'live-pruned').where('value', '<', newest).execute();
    });
  }
}

/** The role scopes of DESIGN.md applied to one event. */
function visibleTo(user: SessionUser, event: LiveEventTable): boolean {
  if (event.unit_id !== user.unitId) return false;
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.role === 'leader') return event.squad_id === null || event.squad_id === user.squadId;
  if (event.officer_id !== null) return event.officer_id === user.id;
  return event.squad_id === null || event.squad_id === user.squadId;
}
