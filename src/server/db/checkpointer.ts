import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as SqliteHandle } from 'better-sqlite3';

// SQLite copies its write-ahead log back into the database file (a checkpoint) inside whichever
// COMMIT crosses 1000 log pages: under ingest that was every third or fourth batch, tens of
// milliseconds of page copying and an fsync of the database file on the server's only event
// loop, which is where health checks and sign-ins waited longest. Here the server's connection
// never checkpoints; a worker thread with its own connection does, beside it (a PASSIVE
// checkpoint takes no lock a writer or reader needs), so the event loop only writes the log.
// Durability is unchanged: every COMMIT still fsyncs the log (synchronous = FULL), and the
// checkpoint fsyncs the database file before the log is reused.

/** How often the worker checkpoints; at 30,000 records/s the log grows some 40 MB a second. */
const CHECKPOINT_EVERY_MS = 250;

// Plain CommonJS evaluated in the worker, so the same code runs from src under vitest and from
// dist in production (a worker file would be .ts in one and .js in the other).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer; stop it before closing the server's connection. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves checkpoints of the SQLite file at `file` off `handle`'s thread. Should the worker fail,
 * `handle` checkpoints for itself again, as SQLite does by default, so the log never grows
 * without bound.
 */
export function startCheckpointer(handle: SqliteHandle, file: string, log: (message: string) => void = console.error): Checkpointer {
  handle.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, everyMs: CHECKPOINT_EVERY_MS } });
  worker.unref();
  let stopping = false;
  const fallBack = (why: string) => {
    if (stopping || !handle.open) return;
    log(`sqlite checkpointer: ${why}; checkpointing on the main connection again`);
    handle.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('message', (message: { error?: string }) => log(`sqlite checkpointer: ${message.error ?? 'unknown message'}`));
  worker.on('error', (error) => fallBack(error.message));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (!stopping) fallBack(`worker exited with ${code}`);
      resolve();
    }),
  );
  return {
    async stop() {
      stopping = true;
      // Unref'd, the worker would not keep a closing process alive until it has closed its connection.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
