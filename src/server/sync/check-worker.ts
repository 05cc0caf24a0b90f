import { answerTasks, CHECK_WORKER_NICE, setThreadNice } from '../threads.js';
import { checkRecords } from './record-checks.js';

// A check-pool worker: one batch of record-only checks per task.

export interface CheckTask {
  inputs: unknown[];
  officerId: string;
  latest: string;
}

// The event loop and sign-ins' hashing win a busy core from it.
setThreadNice(CHECK_WORKER_NICE);

answerTasks(({ inputs, officerId, latest }: CheckTask) => checkRecords(inputs, officerId, latest));
