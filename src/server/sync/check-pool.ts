import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../threads.js';
import type { CheckTask } from './check-worker.js';
import { checkRecords, type RecordCheck } from './record-checks.js';

// Worker threads for push's record-only checks (record-checks.ts), so a batch's parsing and
// hashing run on another core while the event loop stores the batch before it and answers
// health checks and sign-ins. One worker fewer than the cores: the event loop keeps one, and
// the workers run at a lower priority, so a request never waits for a core behind a check.

/** A running pool; close it with the server. */
export class CheckPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (checks: RecordCheck[]) => void; reject: (error: Error) => void; worker: Worker }>();
  private nextId = 0;
  private turn = 0;
  private closed = false;

  constructor(private readonly size = Math.max(1, availableParallelism() - 1)) {}

  /** The checks of `inputs`, from a worker; inline should the worker fail (the checks are pure, so the answer is the same). */
  async check(inputs: unknown[], officerId: string, latest: string): Promise<RecordCheck[]> {
    const worker = this.closed ? undefined : this.pick();
    if (!worker) return checkRecords(inputs, officerId, latest);
    const id = this.nextId++;
    try {
      return await new Promise<RecordCheck[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject, worker });
        worker.postMessage({ id, inputs, officerId, latest } satisfies CheckTask);
      });
    } catch {
      return checkRecords(inputs, officerId, latest);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }

  private pick(): Worker | undefined {
    if (this.workers.length < this.size) {
      try {
        this.workers.push(this.start());
      } catch {
        return undefined;
      }
    }
    return this.workers[this.turn++ % this.workers.length];
  }

  private start(): Worker {
    const worker = spawnWorker(import.meta.url, 'check-worker');
    worker.unref();
    worker.on('message', ({ id, checks }: { id: number; checks: RecordCheck[] }) => {
      const task = this.pending.get(id);
      this.pending.delete(id);
      task?.resolve(checks);
    });
    const fail = (error: Error) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      for (const [id, task] of this.pending)
        if (task.worker === worker) {
          this.pending.delete(id);
          task.reject(error);
        }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`check worker exited with ${code}`)));
    return worker;
  }
}
