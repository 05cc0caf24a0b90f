import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { CHECK_WORKER_NICE } from './check-pool.js';
import { checkRecords } from './record-checks.js';

// A check-pool worker: one batch of record-only checks per message, answered in kind.

export interface CheckTask {
  id: number;
  inputs: unknown[];
  officerId: string;
  latest: string;
}

/**
 * Lowers this thread's scheduling priority. Linux schedules threads one by one and names this
 * one's id in /proc/thread-self (`<pid>/task/<tid>`), which setPriority takes; elsewhere there
 * is no such link and the worker runs at the process's priority, as it did before.
 */
function yieldToEventLoop(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return; // not Linux: no per-thread priority to set
  }
  setPriority(tid, CHECK_WORKER_NICE);
}

yieldToEventLoop();

parentPort?.on('message', ({ id, inputs, officerId, latest }: CheckTask) => {
  parentPort?.postMessage({ id, checks: checkRecords(inputs, officerId, latest) });
});
