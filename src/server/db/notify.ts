import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Tables } from './schema.js';

/**
 * Wakes listeners in every server process when a transaction that changed something commits.
 * It carries no data: listeners read what changed from the database, so a missed wake-up costs
 * latency, never correctness.
 */
export interface Notifier {
  /** Call inside the writing transaction: listeners wake once it commits, never if it rolls back. */
  notify(trx: Transaction<Tables>, channel: string): Promise<void>;
  /** Calls `listener` after each commit that notified `channel`, in any process; returns the way to stop. */
  listen(channel: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * One process owns the SQLite file, so an in-process emitter reaches every listener. The wake-up
 * is deferred a turn: the listener's read queues on the single connection behind the transaction
 * and so sees its commit.
 */
export function inProcessNotifier(): Notifier {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    async notify(_trx, channel) {
      setImmediate(() => emitter.emit(channel));
    },
    listen(channel, listener) {
      emitter.on(channel, listener);
      return () => emitter.off(channel, listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/** Longest wait between two attempts to get the LISTEN connection back. */
const MAX_RECONNECT_MS = 10_000;

/**
 * PostgreSQL NOTIFY, which the server delivers at commit to every session that LISTENs: several
 * server processes on one database all wake. One dedicated connection per process listens; when
 * it drops, it reconnects with backoff and wakes every listener, since notifications sent
 * meanwhile are lost.
 */
export function postgresNotifier(url: string): Notifier {
  const emitter = new EventEmitter().setMaxListeners(0);
  const channels = new Set<string>();
  let client: pg.Client | null = null;
  let closed = false;
  let connecting: Promise<void> | null = null;

  const connect = async (): Promise<void> => {
    for (let delay = 250; !closed; delay = Math.min(delay * 2, MAX_RECONNECT_MS)) {
      const next = new pg.Client({ connectionString: url });
      // Listening before connect: a connection ended by the server (a restart, a terminated
      // backend) can report it in the same read as the connect's answer, before the code after
      // `await connect()` runs, and an 'error' with no listener throws out of the process.
      next.on('error', (error) => {
        console.error('postgres LISTEN connection lost:', error.message);
        // Lost while being set up, the setup's own query fails and the loop tries again.
        if (client !== next) return;
        client = null;
        void ensureConnected();
      });
      try {
        await next.connect();
        next.on('notification', (message) => emitter.emit(message.channel));
        for (const channel of channels) await next.query(`LISTEN ${quoteChannel(channel)}`);
        if (closed) {
          // Closed while this connection was being set up: nobody would ever end it.
          await next.end();
          return;
        }
        client = next;
        for (const channel of channels) emitter.emit(channel);
        return;
      } catch (error) {
        await next.end().catch(() => undefined);
        console.error('postgres LISTEN connection failed:', (error as Error).message);
        await sleep(delay);
      }
    }
  };
  const ensureConnected = (): Promise<void> => {
    connecting ??= connect().finally(() => (connecting = null));
    return connecting;
  };

  return {
    async notify(trx, channel) {
      await sql`select pg_notify(${channel}, '')`.execute(trx);
    },
    listen(channel, listener) {
      emitter.on(channel, listener);
      if (!channels.has(channel)) {
        channels.add(channel);
        if (client) client.query(`LISTEN ${quoteChannel(channel)}`).catch((error: Error) => console.error('LISTEN failed:', error.message));
        else void ensureConnected();
      }
      return () => emitter.off(channel, listener);
    },
    async close() {
      closed = true;
      emitter.removeAllListeners();
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}

/** Channel names are ours (constants), but LISTEN takes an identifier, not a parameter. */
function quoteChannel(channel: string): string {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  return channel;
}
