import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResponse, OneTimePassword, RosterImportOutcome, RosterResponse } from '../../../src/domain/protocol/accounts.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { LoginResponse } from '../../../src/domain/protocol/auth.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;
const csv = { 'content-type': 'text/csv; charset=utf-8' };

describe.each(DATABASES)('accounts, roster and passwords on %s', (kind) => {
  let server: TestServer;
  let admin: Client;

  beforeAll(async () => {
    server = await startServer(kind);
    admin = new Client(server.url);
    await admin.login('A001');
  });
  afterAll(() => server.close());

  const userCount = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditCount = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses a roster with bad rows, naming every one of them, and writes nothing', async () => {
    const before = { users: await userCount(), audit: await auditCount() };
    const file = [
      'badge,name,role,squad',
      'J101,何明,officer,A', // good
      'J102,,officer,A', // no name
      'J103,钱进,chief,A', // no such role
      'J104,孙丽,officer,Z', // no such squad
      'J101,何明,officer,B', // same badge again
      'J105,吴刚,officer', // a field short, no squad
    ].join('\n');
    const response = await admin.request('POST', '/api/admin/roster', file, csv);
    expect(response.status).toBe(400);
    const body = await json<ApiErrorBody>(response);
    expect(body.error).toBe('bad-request');
    expect(body.rows?.map((r) => r.line)).toEqual([3, 4, 6, 7]);
    expect(body.rows?.find((r) => r.line === 7)?.problems).toEqual(['has 3 fields; the header has 4', 'an officer needs a squad']);
    expect(body.rows?.find((r) => r.line === 6)?.codes).toEqual([{ code: 'duplicate', badge: 'J101', first: 2 }]);
    // The squad code is known only to the server: checked in a second pass, still all or nothing.
    const squadOnly = await admin.request('POST', '/api/admin/roster', 'badge,name,role,squad\nJ101,何明,officer,A\nJ104,孙丽,officer,Z\n', csv);
    expect(squadOnly.status).toBe(400);
    expect((await json<ApiErrorBody>(squadOnly)).rows).toEqual([
      { line: 3, problems: ['squad Z is not a squad code of your unit'], codes: [{ code: 'unknown-squad', squad: 'Z' }] },
    ]);
    expect(await userCount()).toBe(before.users);
    expect(await auditCount()).toBe(before.audit);
  });

  it('refuses a password column and a roster that is not CSV', async () => {
    const withPassword = await admin.request('POST', '/api/admin/roster', 'badge,name,role,squad,password\nJ101,何明,officer,A,secret\n', csv);
    expect(withPassword.status).toBe(400);
    expect((await json<ApiErrorBody>(withPassword)).rows?.[0]?.problems).toEqual(['a password column is not allowed: new accounts get one-time passwords']);
    const asJson = await admin.request('POST', '/api/admin/roster', { rows: [] });
    expect(asJson.status).toBe(415);
  });

  it('imports a good roster: new badges get one-time passwords, known ones are updated, simulated ones are marked', async () => {
    const file = 'badge,name,role,squad,simulated\r\nJ101,何明,officer,A,false\r\n"J102","欧阳, 小明",officer,b,true\r\nJ006,叶嘉敏,leader,B,\r\n';
    const response = await admin.request('POST', '/api/admin/roster', file, csv);
    expect(response.status).toBe(200);
    const outcome = await json<RosterImportOutcome>(response);
    expect(outcome.created.map((c) => [c.badge, c.name])).toEqual([
      ['J101', '何明'],
      ['J102', '欧阳, 小明'],
    ]);
    expect(outcome.updated).toEqual(['J006']);
    for (const c of outcome.created) expect(c.oneTimePassword).toMatch(/^[A-Za-z2-9]{7}-[A-Za-z2-9]{7}$/);
    const users = await server.database.db
      .selectFrom('users')
      .select(['badge', 'role', 'simulated', 'must_change_password'])
      .where('badge', 'in', ['J101', 'J102', 'J006'])
      .orderBy('badge')
      .execute();
    expect(users).toEqual([
      { badge: 'J006', role: 'leader', simulated: 0, must_change_password: 0 },
      { badge: 'J101', role: 'officer', simulated: 0, must_change_password: 1 },
      { badge: 'J102', role: 'officer', simulated: 1, must_change_password: 1 },
    ]);
    // A one-time password signs in, but nothing works until it is replaced under the unit's rules.
    const j101 = new Client(server.url);
    const login = await j101.login('J101', outcome.created[0]?.oneTimePassword);
    expect(login.status).toBe(200);
    expect((await json<LoginResponse>(login)).user.mustChangePassword).toBe(true);
    const blocked = await j101.request('GET', '/api/sync/pull');
    expect(blocked.status).toBe(403);
    expect((await json<ApiErrorBody>(blocked)).error).toBe('password-change-required');
    const current = outcome.created[0]?.oneTimePassword ?? '';
    for (const [next, problems] of [
      ['short1', ['too-short']],
      ['j101j101', ['too-short', 'is-badge']],
      ['J101-J101!!', ['is-badge']],
      ['woaini1314', ['common']],
      ['password123', ['common']],
    ] as const) {
      const refused = await j101.request('POST', '/api/auth/password', { current, next });
      expect(refused.status).toBe(400);
      expect((await json<ApiErrorBody>(refused)).passwordProblems).toEqual(problems);
    }
    const changed = await j101.request('POST', '/api/auth/password', { current, next: 'river lantern 2026' });
    expect(changed.status).toBe(200);
    expect((await json<LoginResponse>(changed)).user.mustChangePassword).toBeUndefined();
    expect((await j101.request('GET', '/api/sync/pull')).status).toBe(200);
    const again = new Client(server.url);
    expect((await again.login('J101', 'river lantern 2026')).status).toBe(200);
  });

  it('lets a user change their own password only with the current one; demo passwords keep signing in', async () => {
    const officer = new Client(server.url);
    expect((await officer.login('J002')).status).toBe(200);
    const wrong = await officer.request('POST', '/api/auth/password', { current: 'not it', next: 'a much longer phrase' });
    expect(wrong.status).toBe(400);
    const other = new Client(server.url);
    await other.login('J002');
    expect((await officer.request('POST', '/api/auth/password', { current: 'correct horse battery staple', next: 'a much longer phrase' })).status).toBe(200);
    // Its other sessions end; this one goes on.
    expect((await other.request('GET', '/api/auth/session')).status).toBe(401);
    expect((await officer.request('GET', '/api/auth/session')).status).toBe(200);
  });

  it('applies the unit’s password rules as the admin sets them', async () => {
    expect((await admin.request('PUT', '/api/admin/password-rules', { minLength: 7 })).status).toBe(400);
    const set = await admin.request('PUT', '/api/admin/password-rules', { minLength: 16, notCommon: true });
    expect(set.status).toBe(200);
    const officer = new Client(server.url);
    await officer.login('J003');
    expect((await json<{ rules: unknown }>(await officer.request('GET', '/api/auth/password-rules'))).rules).toEqual({
      minLength: 16,
      notBadge: true,
      notCommon: true,
    });
    const refused = await officer.request('POST', '/api/auth/password', { current: 'correct horse battery staple', next: 'fifteen chars!!' });
    expect((await json<ApiErrorBody>(refused)).passwordProblems).toEqual(['too-short']);
    await admin.request('PUT', '/api/admin/password-rules', {});
  });

  it('creates, edits, moves, disables and resets users of the admin’s unit', async () => {
    const squads = (await json<RosterResponse>(await admin.request('GET', '/api/admin/users'))).squads;
    const squadB = squads.find((s) => s.code === 'B')?.id ?? '';
    const squad = await admin.request('POST', '/api/admin/squads', { code: 'c', name: { 'zh-CN': '三中队', en: 'Squad C' } });
    expect(squad.status).toBe(201);
    const squadC = (await json<{ id: string }>(squad)).id;
    expect((await admin.request('POST', '/api/admin/squads', { code: 'C', name: { 'zh-CN': '重复', en: 'Dup' } })).status).toBe(409);
    expect((await admin.request('PUT', `/api/admin/squads/${squadC}`, { name: { 'zh-CN': '三中队（新）', en: 'Squad C (new)' } })).status).toBe(200);

    const made = await admin.request('POST', '/api/admin/users', { badge: 'j201', name: '郭峰', role: 'officer', squadId: squadB });
    expect(made.status).toBe(201);
    const { oneTimePassword } = await json<OneTimePassword>(made);
    expect((await admin.request('POST', '/api/admin/users', { badge: 'J201', name: '又一个', role: 'officer', squadId: squadB })).status).toBe(409);
    expect((await admin.request('POST', '/api/admin/users', { badge: 'J202', name: '无队', role: 'officer', squadId: null })).status).toBe(400);
    const id = (await json<RosterResponse>(await admin.request('GET', '/api/admin/users'))).people.find((p) => p.badge === 'J201')?.id ?? '';

    // Moved to squad C as its leader.
    expect((await admin.request('PUT', `/api/admin/users/${id}`, { name: '郭峰', role: 'leader', squadId: squadC })).status).toBe(200);
    const user = new Client(server.url);
    await user.login('J201', oneTimePassword);
    await user.request('POST', '/api/auth/password', { current: oneTimePassword, next: 'north gate lantern' });
    const session = await json<LoginResponse>(await user.request('GET', '/api/auth/session'));
    expect(session.user).toMatchObject({ role: 'leader', squadId: squadC });

    // Disabled: the session ends at once, and sign-in says why.
    expect((await admin.request('POST', `/api/admin/users/${id}/disabled`, { disabled: true })).status).toBe(200);
    expect((await user.request('GET', '/api/auth/session')).status).toBe(401);
    const refused = await user.login('J201', 'north gate lantern');
    expect(refused.status).toBe(403);
    expect((await json<ApiErrorBody>(refused)).error).toBe('account-disabled');
    expect((await admin.request('POST', `/api/admin/users/${id}/disabled`, { disabled: false })).status).toBe(200);

    // A reset: a one-time password again, to be changed first.
    const reset = await json<OneTimePassword>(await admin.request('POST', `/api/admin/users/${id}/password-reset`));
    expect((await user.login('J201', 'north gate lantern')).status).toBe(401);
    expect((await json<LoginResponse>(await user.login('J201', reset.oneTimePassword))).user.mustChangePassword).toBe(true);

    // An admin cannot lock themselves out; another unit's ids look unknown.
    const self = (await json<LoginResponse>(await admin.request('GET', '/api/auth/session'))).user.id;
    expect((await admin.request('POST', `/api/admin/users/${self}/disabled`, { disabled: true })).status).toBe(409);
    expect((await admin.request('PUT', '/api/admin/users/nobody', { name: 'x', role: 'officer', squadId: squadB })).status).toBe(404);
  });

  it('logs every admin change in the unit’s audit log: who made it, what it was, and that it went through', async () => {
    const lines = async () => (await json<AuditResponse>(await admin.request('GET', '/api/admin/audit?badge=A001'))).events;
    const before = new Set((await lines()).map((e) => e.id));
    const squad = await json<{ id: string }>(await admin.request('POST', '/api/admin/squads', { code: 'D', name: { 'zh-CN': '四中队', en: 'Squad D' } }));
    await admin.request('PUT', `/api/admin/squads/${squad.id}`, { name: { 'zh-CN': '四中队（新）', en: 'Squad D (new)' } });
    await admin.request('POST', '/api/admin/users', { badge: 'J301', name: '冯涛', role: 'officer', squadId: squad.id });
    const id = (await json<RosterResponse>(await admin.request('GET', '/api/admin/users'))).people.find((p) => p.badge === 'J301')?.id ?? '';
    await admin.request('PUT', `/api/admin/users/${id}`, { name: '冯涛', role: 'leader', squadId: squad.id });
    await admin.request('POST', `/api/admin/users/${id}/disabled`, { disabled: true });
    await admin.request('POST', `/api/admin/users/${id}/disabled`, { disabled: false });
    await admin.request('POST', `/api/admin/users/${id}/password-reset`);
    await admin.request('POST', '/api/admin/roster', 'badge,name,role,squad\nJ302,蒋琳,officer,D\nJ301,冯涛,officer,D\n', csv);
    await admin.request('PUT', '/api/admin/password-rules', { minLength: 12 });
    await admin.request('PUT', '/api/admin/password-rules', {});

    const made = (await lines()).filter((e) => !before.has(e.id) && e.kind !== 'audit-log-view').reverse();
    expect(made.map((e) => [e.kind, e.outcome, e.badge, e.name])).toEqual(
      [
        'squad-change',
        'squad-change',
        'user-created',
        'user-changed',
        'user-disabled',
        'user-enabled',
        'password-reset',
        'roster-import',
        'password-rules-change',
        'password-rules-change',
      ].map((kind) => [kind, 'ok', 'A001', '郑文博']),
    );
    const detail = (i: number) => JSON.parse(made[i]?.detail ?? 'null') as unknown;
    expect(detail(0)).toEqual({ created: { id: squad.id, code: 'D', name: { 'zh-CN': '四中队', en: 'Squad D' } } });
    expect(detail(1)).toEqual({ renamed: { id: squad.id, name: { 'zh-CN': '四中队（新）', en: 'Squad D (new)' } } });
    expect(detail(2)).toEqual({ badge: 'J301', role: 'officer', squadId: squad.id });
    expect(detail(3)).toMatchObject({ badge: 'J301', from: { role: 'officer' }, to: { role: 'leader' } });
    for (const i of [4, 5, 6]) expect(detail(i)).toEqual({ badge: 'J301' });
    expect(detail(7)).toEqual({ created: ['J302'], updated: ['J301'] });
    expect(detail(8)).toMatchObject({ minLength: 12 });
    // Nothing an admin's change writes carries their password or a one-time one.
    expect(made.map((e) => e.detail).join()).not.toMatch(/password"|oneTimePassword/);
  });

  it('shows a leader their squad’s roster and a supervisor the unit’s; officers see none', async () => {
    const leader = new Client(server.url);
    await leader.login('L001');
    const squad = await json<RosterResponse>(await leader.request('GET', '/api/roster'));
    expect(squad.squads.map((s) => s.code)).toEqual(['A']);
    expect(squad.people.every((p) => p.squadId === squad.squads[0]?.id)).toBe(true);
    expect(squad.people.map((p) => p.badge)).toContain('J001');
    const supervisor = new Client(server.url);
    await supervisor.login('S001');
    const unit = await json<RosterResponse>(await supervisor.request('GET', '/api/roster'));
    expect(unit.people.map((p) => p.badge)).toEqual(expect.arrayContaining(['J001', 'J004', 'L002', 'A001']));
    const officer = new Client(server.url);
    await officer.login('J004');
    expect((await officer.request('GET', '/api/roster')).status).toBe(403);
  });
});
