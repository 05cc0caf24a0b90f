import { availableParallelism } from 'node:os';
import { WorkerThread } from '../threads.js';
import type { CheckTask } from './check-worker.js';
import { checkRecords, type RecordCheck } from './record-checks.js';

// Worker threads for push's record-only checks (record-checks.ts), so a batch's parsing and
// hashing run on another core while the event loop stores the batch before it and answers
// health checks and sign-ins. One worker fewer than the cores: the event loop keeps one, and
// the workers run at a lower priority, so a request never waits for a core behind a check.

/** A running pool; close it with the server. */
export class CheckPool {
  private workers: Array<WorkerThread<CheckTask, RecordCheck[]>> = [];
  private turn = 0;
  private closed = false;

  constructor(private readonly size = Math.max(1, availableParallelism() - 1)) {}

  /** The checks of `inputs`, from a worker; inline should the worker fail (the checks are pure, so the answer is the same). */
  async check(inputs: unknown[], officerId: string, latest: string): Promise<RecordCheck[]> {
    const worker = this.closed ? undefined : this.pick();
    if (!worker) return checkRecords(inputs, officerId, latest);
    try {
      return await worker.ask({ inputs, officerId, latest });
    } catch {
      return checkRecords(inputs, officerId, latest);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }

  /** The next worker in turn, starting one (in place of any that died) while there are fewer than `size`. */
  private pick(): WorkerThread<CheckTask, RecordCheck[]> | undefined {
    this.workers = this.workers.filter((worker) => !worker.failed);
    if (this.workers.length < this.size) {
      try {
        this.workers.push(new WorkerThread(import.meta.url, 'check-worker'));
      } catch {
        return undefined;
      }
    }
    return this.workers[this.turn++ % this.workers.length];
  }
}
