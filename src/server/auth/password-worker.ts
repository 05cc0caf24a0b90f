import { scryptSync, type ScryptOptions } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { answerTasks, setThreadNice, SIGN_IN_NICE } from '../threads.js';

// The sign-in hasher's thread (password.ts): one scrypt per task.

export interface HashTask {
  password: string;
  salt: Uint8Array;
  keyLength: number;
  options: ScryptOptions;
}

/** What the thread tells once, before any task: whether its priority was raised. */
export interface HasherStarted {
  raised: boolean;
}

parentPort?.postMessage({ raised: setThreadNice(SIGN_IN_NICE) } satisfies HasherStarted);

answerTasks(({ password, salt, keyLength, options }: HashTask) => scryptSync(password, salt, keyLength, options));
