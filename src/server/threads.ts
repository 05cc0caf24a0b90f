import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// The server's own worker threads (push checks, sign-in hashing): how one is started, and how
// it sets its own scheduling priority against the event loop's (nice 0).

/** A push check worker (sync/check-worker.ts): the event loop and sign-ins' hashing win a busy core from it. */
export const CHECK_WORKER_NICE = 10;

/**
 * The sign-in hasher (auth/password-worker.ts), where the system allows it: a sign-in's hash wins
 * a core from the event loop, the check workers and the database while ingest keeps them busy.
 * The thread is idle but for sign-ins, which the badge and address guards keep few.
 */
export const SIGN_IN_NICE = -10;

/**
 * The worker `name` beside the module at `here`: from the built .js; run from the TypeScript
 * sources (tests, tsx), through tsx's loader, registered in the worker before it imports the .ts.
 */
export function spawnWorker(here: string, name: string): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here));
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((api) => api.register()).then(() => import(workerData.entry));`;
  return new Worker(boot, { eval: true, workerData: { tsx, entry: new URL(`./${name}.ts`, here).href } });
}

/**
 * Sets the calling thread's nice value; says whether it took. Linux schedules threads one by one
 * and names this one's id in /proc/thread-self (`<pid>/task/<tid>`), which setPriority takes;
 * elsewhere there is no such link and the thread keeps the process's priority. A value below the
 * process's needs CAP_SYS_NICE or a nice limit (systemd's LimitNICE=) allowing it.
 */
export function setThreadNice(nice: number): boolean {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return false; // not Linux: no per-thread priority to set
  }
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false; // not allowed to raise it: the thread runs as the others do
  }
}
