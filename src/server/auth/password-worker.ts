import { scryptSync, type ScryptOptions } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { setThreadNice, SIGN_IN_NICE } from '../threads.js';

// The sign-in hasher's thread (password.ts): one scrypt per message, answered in kind.

export interface HashTask {
  id: number;
  password: string;
  salt: Uint8Array;
  keyLength: number;
  options: ScryptOptions;
}

export type HashAnswer = { id: number; key: Uint8Array } | { id: number; error: string };

const raised = setThreadNice(SIGN_IN_NICE);
parentPort?.postMessage({ raised });

parentPort?.on('message', ({ id, password, salt, keyLength, options }: HashTask) => {
  let answer: HashAnswer;
  try {
    answer = { id, key: scryptSync(password, salt, keyLength, options) };
  } catch (error) {
    answer = { id, error: String(error) };
  }
  parentPort?.postMessage(answer);
});
