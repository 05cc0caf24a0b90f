import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';

describe.each(DATABASES)('sign-in on %s', (kind) => {
  let server: TestServer;
  let client: Client;
  beforeEach(async () => {
    // Sign-in itself is under test here: the demo accounts keep their production-cost hashes.
    server = await startServer(kind, { productionPasswordHashes: true });
    client = new Client(server.url);
  });
  afterEach(() => server.close());

  const auditKinds = async (badge: string) =>
    (await server.database.db.selectFrom('audit_events').select('kind').where('badge', '=', badge).orderBy('id').execute()).map((r) => r.kind);

  it('signs an officer in with an HttpOnly, SameSite=Strict session cookie and returns who they are', async () => {
    const response = await client.login('J001');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: { id: expect.any(String), badge: 'J001', name: '陈志强', role: 'officer', unitId: expect.any(String), squadId: expect.any(String) },
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^xf_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i); // plain HTTP in this test
    const session = await client.request('GET', '/api/auth/session');
    expect(session.status).toBe(200);
    expect(((await session.json()) as { user: { badge: string } }).user.badge).toBe('J001');
    expect(await auditKinds('J001')).toEqual(['login']);
  });

  it('accepts a badge typed in lower case with spaces around it', async () => {
    const response = await client.request('POST', '/api/auth/login', { badge: ' l001 ', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { role: string } }).user.role).toBe('leader');
  });

  it('stores the session only as a hash and the password only as an scrypt hash', async () => {
    await client.login('S001');
    const token = client.cookie.split('=')[1] ?? '';
    const sessions = await server.database.db.selectFrom('sessions').select('id').execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.id).not.toContain(token);
    expect(sessions[0]?.id).toMatch(/^[0-9a-f]{64}$/);
    const user = await server.database.db.selectFrom('users').select('password_hash').where('badge', '=', 'S001').executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.password_hash).not.toContain(PASSWORD);
  });

  it('refuses a wrong password with 401, says how many attempts are left and records it', async () => {
    const response = await client.login('J002', 'wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'bad-credentials', attemptsLeft: 4 });
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await auditKinds('J002')).toEqual(['login-failed']);
  });

  it('answers an unknown badge exactly as a real one with a wrong password, up to the lock', async () => {
    const answers = async (badge: string) => {
      const out: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await client.login(badge, `wrong-${i}`);
        const { message: _message, lockedUntil, ...rest } = (await response.json()) as { message: string; lockedUntil?: string };
        out.push({ status: response.status, ...rest, locked: lockedUntil !== undefined });
      }
      return out;
    };
    const real = await answers('J002');
    expect(await answers('J999')).toEqual(real);
    expect(real[0]).toEqual({ status: 401, error: 'bad-credentials', attemptsLeft: 4, locked: false });
    expect(real[4]).toEqual({ status: 423, error: 'locked', locked: true });
    expect(await auditKinds('J999')).toEqual([...Array(4).fill('login-failed'), 'lockout', 'login-failed']);
  });

  it('checks at most 5 of 100 parallel guesses, so the right password sent last in the burst does not get in', async () => {
    const guesses = Array.from({ length: 100 }, (_, i) => (i === 99 ? undefined : `wrong-${i}`));
    const responses = await Promise.all(guesses.map((password) => new Client(server.url).login('J001', password)));
    const statuses = responses.map((r) => r.status);
    expect(statuses).not.toContain(200);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s === 423).length).toBeGreaterThanOrEqual(95);
    const kinds = await auditKinds('J001');
    const checked = (await server.database.db.selectFrom('audit_events').select('detail').where('badge', '=', 'J001').execute()).filter(
      (e) => e.detail !== 'badge locked',
    );
    // Each checked guess is one wrong-password event or the lockout it caused.
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(kinds).toContain('lockout');
    // Still locked for the rest of the period, even for the right password.
    server.clock.advance(9 * 60_000);
    expect((await client.login('J001')).status).toBe(423);
    server.clock.advance(60_000 + 1);
    expect((await client.login('J001')).status).toBe(200);
  });

  it('locks a badge for 10 minutes after 5 failures, even against the right password, then lets it in', async () => {
    for (let i = 0; i < 4; i++) expect((await client.login('J003', `wrong-${i}`)).status).toBe(401);
    const fifth = await client.login('J003', 'wrong-5');
    expect(fifth.status).toBe(423);
    const body = (await fifth.json()) as { error: string; lockedUntil: string; message: string };
    expect(body.error).toBe('locked');
    expect(Date.parse(body.lockedUntil) - server.clock.now().getTime()).toBe(10 * 60 * 1000);
    expect(body.message).toMatch(/locked/);

    server.clock.advance(9 * 60 * 1000);
    expect((await client.login('J003')).status).toBe(423);
    server.clock.advance(60 * 1000 + 1);
    expect((await client.login('J003')).status).toBe(200);
    expect(await auditKinds('J003')).toEqual([...Array(4).fill('login-failed'), 'lockout', 'login-failed', 'login']);
  });

  it('resets the failure count after a successful sign-in', async () => {
    for (let i = 0; i < 4; i++) await client.login('J004', 'wrong');
    expect((await client.login('J004')).status).toBe(200);
    const again = await client.login('J004', 'wrong');
    expect(await again.json()).toMatchObject({ attemptsLeft: 4 });
  });

  it('slows, then refuses an address that keeps failing, and its refused guesses lock no badge', async () => {
    // 20 failures spread over badges, so no badge locks on its own.
    const badges = ['J001', 'J002', 'J003', 'J004', 'J005'];
    for (let i = 0; i < 20; i++) {
      const response = await client.login(badges[i % badges.length] ?? '', `wrong-${i}`);
      expect(response.status, `guess ${i + 1}`).toBe(401);
    }
    const refused = await client.login('A001', 'wrong');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: 'too-many-requests' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before any badge is touched: A001 was never counted, and the right password from
    // here waits too, while the badge itself stays unlocked.
    expect((await client.login('A001')).status).toBe(429);
    expect(await server.database.db.selectFrom('login_guards').select('key').where('key', '=', 'badge:A001').executeTakeFirst()).toBeUndefined();
    server.clock.advance(15 * 60_000 + 1);
    expect((await client.login('A001')).status).toBe(200);
  });

  it('forgets throttling state once it holds nothing back, so failed sign-ins do not grow the table forever', async () => {
    const guards = async () => (await server.database.db.selectFrom('login_guards').select('key').orderBy('key').execute()).map((r) => r.key);
    for (let i = 0; i < 8; i++) expect((await client.login(`Z10${i}`, 'wrong')).status).toBe(401);
    for (let i = 0; i < 5; i++) await client.login('J002', 'wrong');
    expect((await client.login('J002')).status).toBe(423);
    expect(await guards()).toHaveLength(10); // 8 made-up badges, J002, this address

    // A day on, one more failure sweeps what has run out; J002's lock ended long ago.
    server.clock.advance(24 * 3600_000 + 1);
    expect((await client.login('Z200', 'wrong')).status).toBe(401);
    expect(await guards()).toEqual([expect.stringMatching(/^address:/), 'badge:Z200']);
    expect((await client.login('J002')).status).toBe(200);
  });

  it('ends a session 12 hours after sign-in', async () => {
    await client.login('J005');
    server.clock.advance(12 * 60 * 60 * 1000 - 1000);
    expect((await client.request('GET', '/api/auth/session')).status).toBe(200);
    server.clock.advance(1000);
    const expired = await client.request('GET', '/api/auth/session');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: 'unauthenticated' });
  });

  it('signs out: the session stops working, the cookie is cleared and the audit records it', async () => {
    await client.login('J006');
    const stolen = client.cookie;
    const response = await client.request('POST', '/api/auth/logout');
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^xf_session=;/);
    const replay = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: stolen } });
    expect(replay.status).toBe(401);
    expect(await auditKinds('J006')).toEqual(['login']);
    const logout = await server.database.db.selectFrom('audit_events').select(['kind', 'user_id']).where('kind', '=', 'logout').execute();
    expect(logout).toHaveLength(1);
  });

  it('answers 401 to a made-up session cookie', async () => {
    const response = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: 'xf_session=forged' } });
    expect(response.status).toBe(401);
  });
});
