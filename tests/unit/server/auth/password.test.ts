import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../../src/server/auth/password.js';

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
    for (const stored of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$y$z$$']) expect(await verifyPassword('x', stored)).toBe(false);
  });
});
