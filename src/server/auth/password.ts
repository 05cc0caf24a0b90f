import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { asError, WorkerThread } from '../threads.js';
import type { HashTask, HasherStarted } from './password-worker.js';

// scrypt parameters: N=2^15, r=8, p=1 (OWASP's minimum is 2^17 with p=1 for r=8 at
// 128 MiB; 2^15 keeps a login at 60–130 ms on the 2-core machines measured while staying memory-hard).
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

type Params = { N: number; r: number; p: number };
const optionsOf = (params: Params): ScryptOptions => ({ ...params, maxmem: 256 * params.N * params.r });

/** On libuv's pool, at the process's priority. */
function derive(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, optionsOf(params), (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * Sign-ins' hashes, on a thread of their own at a raised priority (password-worker.ts). On
 * libuv's pool a sign-in's scrypt shared both cores with the event loop, the check workers and
 * the database while ingest ran, and took twice its own time. One thread: however many guess at
 * once, it takes at most one core from the rest. New passwords (imports, resets) stay on libuv's
 * pool: an admin's work can share the CPU, an officer at the door should not wait.
 */
class SignInHasher {
  private thread: WorkerThread<HashTask, Uint8Array> | undefined;
  private broken = false;
  private raisedAnswer: ((raised: boolean) => void) | undefined;
  /** Whether the thread's priority was raised (false where the system does not allow it); known once it has started. */
  readonly raised = new Promise<boolean>((resolve) => (this.raisedAnswer = resolve));

  /**
   * The key, from the thread; from libuv's pool should the thread fail (the same key either way),
   * the failure a process warning: sign-ins still work, at the process's priority.
   */
  async derive(password: string, salt: Buffer, params: Params): Promise<Buffer> {
    const thread = this.started();
    if (!thread) return derive(password, salt, params);
    try {
      return Buffer.from(await thread.ask({ password: password.normalize('NFC'), salt, keyLength: KEY_LENGTH, options: optionsOf(params) }));
    } catch (error) {
      process.emitWarning(asError(error));
      // A dead thread stays dead: this process hashes on libuv's pool from now on.
      if (thread.failed) {
        this.broken = true;
        this.raisedAnswer?.(false);
      }
      return derive(password, salt, params);
    }
  }

  private started(): WorkerThread<HashTask, Uint8Array> | undefined {
    if (this.broken) return undefined;
    try {
      this.thread ??= new WorkerThread(import.meta.url, 'password-worker', (message) => this.raisedAnswer?.((message as HasherStarted).raised));
    } catch (error) {
      process.emitWarning(asError(error));
      this.broken = true;
    }
    return this.thread;
  }
}

/** The process's one sign-in hasher. */
export const signInHasher = new SignInHasher();

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64url), parameters kept for later upgrades. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time, on the sign-in hasher; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key || !plausible(params)) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await signInHasher.derive(password, Buffer.from(salt, 'base64url'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Parameters scrypt takes (OpenSSL refuses N ≥ 2^(16·r)), within four times the work and memory
 * of what this server writes: room for an upgrade to OWASP's N=2^17, and a damaged row never
 * holds the one sign-in thread for minutes or asks for gigabytes.
 */
function plausible({ N, r, p }: Params): boolean {
  const integer = (value: number) => Number.isInteger(value) && value >= 1;
  if (!integer(N) || !integer(r) || !integer(p) || N < 2 || (N & (N - 1)) !== 0 || N >= 2 ** (16 * r)) return false;
  const most = 4 * PARAMS.N * PARAMS.r;
  return N * r <= most && N * r * p <= most;
}

/** A hash of a random password, verified against when a badge is unknown so timing does not tell. */
export const UNKNOWN_USER_HASH = hashPassword(randomBytes(16).toString('hex'));
