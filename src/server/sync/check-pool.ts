import { availableParallelism } from 'node:os';
import { asError, WorkerThread } from '../threads.js';
import type { CheckTask } from './check-worker.js';
import { checkRecords, type RecordCheck } from './record-checks.js';

// Worker threads for push's record-only checks (record-checks.ts), so a batch's parsing and
// hashing run on another core while the event loop stores the batch before it and answers
// health checks and sign-ins. One worker fewer than the cores: the event loop keeps one, and
// the workers run at a lower priority, so a request never waits for a core behind a check.

/** A push's records, and the JSON text they were parsed from when the caller has it. */
export interface PushBatch {
  records: unknown[];
  /** `{"records":[...]}` as received: sent to a worker in place of `records`, which it parses again. */
  text?: string | undefined;
}

/** How big a pool is, and who hears of its workers' failures. */
export interface CheckPoolOptions {
  /** Workers at most; one fewer than the cores by default. */
  size?: number;
  /** Told of each failure of a worker (the batch is then checked inline); by default a process warning. */
  onFailure?: (error: Error) => void;
}

/** A running pool; close it with the server. */
export class CheckPool {
  private workers: Array<WorkerThread<CheckTask, RecordCheck[]>> = [];
  private turn = 0;
  private closed = false;
  private readonly size: number;
  private readonly onFailure: (error: Error) => void;

  constructor({ size = Math.max(1, availableParallelism() - 1), onFailure = (error) => process.emitWarning(error) }: CheckPoolOptions = {}) {
    this.size = size;
    this.onFailure = onFailure;
  }

  /**
   * The checks of the batch's records, from a worker; inline should the worker fail (the checks
   * are pure, so the answer is the same), the failure told to `onFailure`: the push still works,
   * slower and on the event loop, and whoever runs the server learns why.
   */
  async check({ records, text }: PushBatch, officerId: string, latest: string): Promise<RecordCheck[]> {
    const worker = this.closed ? undefined : this.pick();
    if (!worker) return checkRecords(records, officerId, latest);
    try {
      // Structured clone walks every record's every field on the event loop (posting a 1,000-record
      // batch took 0.95–1.21 ms, its text 0.27–0.32 ms), and JSON.parse in the worker costs less
      // than the clone's deserialising there.
      return await worker.ask(text === undefined ? { records, officerId, latest } : { text, officerId, latest });
    } catch (error) {
      this.onFailure(asError(error));
      return checkRecords(records, officerId, latest);
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
      } catch (error) {
        this.onFailure(asError(error));
        return undefined;
      }
    }
    return this.workers[this.turn++ % this.workers.length];
  }
}
