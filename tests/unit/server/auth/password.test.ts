import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashPassword, signInHasher, verifyPassword } from '../../../../src/server/auth/password.js';
import { SIGN_IN_NICE } from '../../../../src/server/threads.js';

describe('scrypt password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('巡防-2026');
    expect(await verifyPassword('巡防-2026', stored)).toBe(true);
    expect(await verifyPassword('巡防-2027', stored)).toBe(false);
  });

  it('salts every hash, so equal passwords do not give equal hashes', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats a malformed stored hash as a mismatch, not a crash', async () => {
    // Not a cost, not a power of two, more than OpenSSL takes for r=1, gigabytes, minutes of work, no parallelism.
    const damaged = ['x$y$z', '3$8$1', '65536$1$1', '1048576$32$1', '32768$8$16', '32768$8$0'].map((cost) => `scrypt$${cost}$c2FsdA$a2V5`);
    for (const stored of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$y$z$$', ...damaged]) expect(await verifyPassword('x', stored)).toBe(false);
  });

  it('checks sign-ins on a thread of its own, raised above the event loop where the system allows it', async () => {
    const stored = await hashPassword('巡防-2026');
    expect(await verifyPassword('巡防-2026', stored)).toBe(true);
    expect(await verifyPassword('巡防-2027', stored)).toBe(false);
    const raised = await signInHasher.raised;
    // The nice value is field 19 of a thread's stat(5); fields are counted here from the state (field 3).
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    expect(niceOf(String(process.pid))).toBe(0);
    expect(
      readdirSync('/proc/self/task')
        .map(niceOf)
        .filter((nice) => nice === SIGN_IN_NICE),
    ).toHaveLength(raised ? 1 : 0);
    // Root, as CI runs, may raise a thread's priority.
    if (process.getuid?.() === 0) expect(raised).toBe(true);
  });
});
