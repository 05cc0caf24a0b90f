import { parentPort } from 'node:worker_threads';
import { CHECK_WORKER_NICE, setThreadNice } from '../threads.js';
import { checkRecords } from './record-checks.js';

// A check-pool worker: one batch of record-only checks per message, answered in kind.

export interface CheckTask {
  id: number;
  inputs: unknown[];
  officerId: string;
  latest: string;
}

// The event loop and sign-ins' hashing win a busy core from it.
setThreadNice(CHECK_WORKER_NICE);

parentPort?.on('message', ({ id, inputs, officerId, latest }: CheckTask) => {
  parentPort?.postMessage({ id, checks: checkRecords(inputs, officerId, latest) });
});
