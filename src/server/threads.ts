import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

// The server's own worker threads (push checks, sign-in hashing): how one is started, how tasks
// go to it and answers come back, and how it sets its own scheduling priority against the event
// loop's (nice 0).

/** A push check worker (sync/check-worker.ts): the event loop and sign-ins' hashing win a busy core from it. */
export const CHECK_WORKER_NICE = 10;

/**
 * The sign-in hasher (auth/password-worker.ts), where the system allows it: a sign-in's hash wins
 * a core from the event loop and the check workers while ingest keeps them busy. Only within the
 * server's own scheduling group (a session's autogroup; a systemd service's cgroup): PostgreSQL,
 * a service of its own, shares the cores with it on equal terms whatever the nice values say.
 * The thread is idle but for sign-ins, which the badge and address guards keep few.
 */
export const SIGN_IN_NICE = -10;

/**
 * The worker `name` beside the module at `here`: from the built .js; run from the TypeScript
 * sources (tests, tsx), through tsx's loader, registered in the worker before it imports the .ts.
 */
function spawnWorker(here: string, name: string): Worker {
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

/** What a failed task or worker start threw, as an Error for a log or a process warning. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

type Answer<Result> = { id: number; result: Result } | { id: number; error: string };

/**
 * A worker thread answering tasks one message each (the worker calls answerTasks). A task's
 * promise rejects when the worker answers with an error or dies; a dead worker stays `failed`,
 * and its owner answers inline or starts another. Messages without an id go to `onNotice`.
 */
export class WorkerThread<Task, Result> {
  failed = false;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (result: Result) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  /** Starts the worker `name` beside the module at `here`; it does not keep the process alive. */
  constructor(here: string, name: string, onNotice?: (message: unknown) => void) {
    this.worker = spawnWorker(here, name);
    this.worker.unref();
    this.worker.on('message', (message: Answer<Result> | { id?: undefined }) => {
      if (message.id === undefined) return onNotice?.(message);
      const task = this.pending.get(message.id);
      this.pending.delete(message.id);
      if ('result' in message) task?.resolve(message.result);
      else task?.reject(new Error(message.error));
    });
    const fail = (error: Error) => {
      this.failed = true;
      for (const task of this.pending.values()) task.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`worker ${name} exited with ${code}`)));
  }

  ask(task: Task): Promise<Result> {
    if (this.failed) return Promise.reject(new Error('worker failed'));
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, task });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** In a worker: answers each task of its WorkerThread with `handle`'s result, or the error it threw. */
export function answerTasks<Task, Result>(handle: (task: Task) => Result): void {
  parentPort?.on('message', ({ id, task }: { id: number; task: Task }) => {
    let answer: Answer<Result>;
    try {
      answer = { id, result: handle(task) };
    } catch (error) {
      answer = { id, error: String(error) };
    }
    parentPort?.postMessage(answer);
  });
}
