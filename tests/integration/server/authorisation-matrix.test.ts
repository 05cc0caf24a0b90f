import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';

// One table: every endpoint the server registers × who asks. Callers stand in for the scopes
// around one subject, officer J001 of squad A: signed out; J001 (own); J002 (same squad, not
// own); L001 (their squad's leader); L002 (another squad's leader: same unit); S001 and A001
// (the unit); X001 (the admin of another unit). `allow` lists who gets through; everyone else
// must get 401, 403, or a 404 that cannot be told from "no such thing". A registered endpoint
// without a row fails the test: a new endpoint must say who may call it.

const CALLERS = ['anon', 'J001', 'J002', 'L001', 'L002', 'S001', 'A001', 'X001'] as const;
type Caller = (typeof CALLERS)[number];

const ANY: Caller[] = ['J001', 'J002', 'L001', 'L002', 'S001', 'A001', 'X001'];
const EVERYONE: Caller[] = ['anon', ...ANY];
const OFFICERS: Caller[] = ['J001', 'J002'];
const LEADERS: Caller[] = ['L001', 'L002'];
const COMMAND: Caller[] = [...LEADERS, 'S001'];
const READERS: Caller[] = [...LEADERS, 'S001', 'A001', 'X001'];
const ADMINS: Caller[] = ['A001', 'X001'];
/** Who may see J001's own data: J001, their leader, the unit's supervisor and admin. */
const J001_SCOPE: Caller[] = ['J001', 'L001', 'S001', 'A001'];
const NONE: Caller[] = [];

interface Fixture {
  j001: string;
  deviceJ001: string;
  /** A zone of squad A. */
  zoneA: string;
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as registered (`:id` and all). */
  route: string;
  /** The request made: path and body; bodies of allowed writes are invalid on purpose (a 400 has passed the gate and changed nothing). */
  request: (f: Fixture) => { path: string; body?: unknown };
  allow: Caller[];
  /** A 404 means "out of scope" here (real ids are used), so it must not answer an allowed caller. */
  scoped?: boolean;
  /** Makes a session unusable (sign-out): each caller signs in afresh for it. */
  fresh?: boolean;
  /** Authenticated by a tracker's token, not a session: without one, any 4xx is a refusal. */
  tokenOnly?: boolean;
}

const WINDOW = 'from=2026-11-29T00:00:00.000Z&to=2026-11-29T12:00:00.000Z';
const NO_ID = '0190a1f0-0000-7000-8000-ffffffffffff';
const NO_HASH = '0'.repeat(64);
const get = (route: string, allow: Caller[], path = route, scoped = false): Row => ({ method: 'GET', route, request: () => ({ path }), allow, scoped });
const write = (method: Row['method'], route: string, allow: Caller[], path = route, body: unknown = { nonsense: true }): Row => ({
  method,
  route,
  request: () => ({ path, body }),
  allow,
});

const ROWS: Row[] = [
  get('/api/health', EVERYONE),
  // It describes shapes, not data: the app bundle already carries every path and schema.
  get('/api/openapi.json', EVERYONE),
  write('POST', '/api/auth/login', EVERYONE, '/api/auth/login', {}),
  { method: 'POST', route: '/api/auth/logout', request: () => ({ path: '/api/auth/logout' }), allow: EVERYONE, fresh: true },
  get('/api/auth/session', ANY),
  get('/api/auth/password-rules', ANY),
  write('POST', '/api/auth/password', ANY),
  get('/api/config', ANY),
  get('/api/live', ANY),

  // Devices and sync: the officer's own; lists in scope.
  write('POST', '/api/devices', ANY),
  get('/api/devices', ANY),
  {
    method: 'POST',
    route: '/api/devices/:id/heartbeat',
    request: (f) => ({ path: `/api/devices/${f.deviceJ001}/heartbeat`, body: { pending: 0 } }),
    allow: ['J001'],
    scoped: true,
  },
  {
    method: 'POST',
    route: '/api/admin/devices/:id/revoke',
    request: (f) => ({ path: `/api/admin/devices/${f.deviceJ001}/revoke` }),
    allow: ['A001'],
    scoped: true,
  },
  // The device lock (issue 16): only the officer's own device asks for its nonce, its recovery key and reports wrong PINs.
  ...(['challenge', 'recovery-key', 'pin-failures'] as const).map((what): Row => ({
    method: 'POST',
    route: `/api/devices/:id/${what}`,
    request: (f) => ({ path: `/api/devices/${f.deviceJ001}/${what}`, body: { nonsense: true } }),
    allow: ['J001'],
    scoped: true,
  })),
  get('/api/lock-policy', ANY),
  write('PUT', '/api/lock-policy', ADMINS),
  write('POST', '/api/sync/push', ANY),
  get('/api/sync/pull', ANY),
  write('PUT', '/api/blobs/:sha256', ANY, `/api/blobs/${NO_HASH}`),
  get('/api/blobs/:sha256', ANY, `/api/blobs/${NO_HASH}`),

  // The subject's records: own, squad, unit.
  { method: 'GET', route: '/api/audit/track', request: (f) => ({ path: `/api/audit/track?officerId=${f.j001}&${WINDOW}` }), allow: J001_SCOPE, scoped: true },
  {
    method: 'GET',
    route: '/api/audit/native-track',
    request: (f) => ({ path: `/api/audit/native-track?officerId=${f.j001}&${WINDOW}` }),
    allow: J001_SCOPE,
    scoped: true,
  },
  { method: 'GET', route: '/api/audit/shifts', request: (f) => ({ path: `/api/audit/shifts?officerId=${f.j001}&${WINDOW}` }), allow: J001_SCOPE, scoped: true },
  { method: 'GET', route: '/api/audit/views', request: (f) => ({ path: `/api/audit/views?officerId=${f.j001}` }), allow: J001_SCOPE, scoped: true },
  { method: 'GET', route: '/api/checkins', request: (f) => ({ path: `/api/checkins?officerId=${f.j001}&${WINDOW}` }), allow: J001_SCOPE, scoped: true },
  { method: 'GET', route: '/api/compliance', request: (f) => ({ path: `/api/compliance?officerId=${f.j001}&${WINDOW}` }), allow: J001_SCOPE, scoped: true },
  // Scope by id is covered in incident-views.test.ts; here, that the route asks for a session.
  get('/api/incidents/:id', ANY, `/api/incidents/${NO_ID}`),
  get('/api/incidents', ANY),

  // Command: leaders and supervisors (and admins where they read).
  { method: 'GET', route: '/api/coverage', request: (f) => ({ path: `/api/coverage?zoneId=${f.zoneA}` }), allow: ['L001', 'S001', 'A001'], scoped: true },
  get('/api/shifts/open', READERS),
  get('/api/shifts/equipment-losses', COMMAND),
  write('POST', '/api/shifts/equipment-losses/resolve', COMMAND),
  get('/api/tasks', [...OFFICERS, ...COMMAND]),
  write('POST', '/api/tasks', COMMAND),
  write('POST', '/api/tasks/:id/reassign', COMMAND, `/api/tasks/${NO_ID}/reassign`),
  write('POST', '/api/tasks/:id/cancel', COMMAND, `/api/tasks/${NO_ID}/cancel`),
  write('POST', '/api/lockdowns/proposal', COMMAND),
  write('POST', '/api/lockdowns', COMMAND),
  get('/api/lockdowns', COMMAND),
  write('POST', '/api/lockdowns/:id/end', COMMAND, `/api/lockdowns/${NO_ID}/end`),
  get('/api/squad/live', COMMAND),
  write('POST', '/api/sos/:id/ack', COMMAND, `/api/sos/${NO_ID}/ack`),
  get('/api/safety-index', READERS),
  get('/api/areas', READERS),
  get('/api/roster', READERS),

  // Native trackers: the officer pairs their own; the reports carry a tracker token, never a session.
  get('/api/trackers', OFFICERS),
  write('POST', '/api/trackers', OFFICERS),
  write('POST', '/api/trackers/:id/revoke', OFFICERS, `/api/trackers/${NO_ID}/revoke`),
  { ...write('POST', '/api/native/owntracks', NONE), tokenOnly: true },
  { ...get('/api/native/osmand', NONE), tokenOnly: true },
  { ...write('POST', '/api/native/osmand', NONE), tokenOnly: true },

  // The admin's desk, each admin within their own unit.
  get('/api/admin/zones', ADMINS),
  get('/api/admin/zones/export', ADMINS),
  write('POST', '/api/admin/zones/import', ADMINS),
  write('POST', '/api/admin/zones', ADMINS),
  write('PUT', '/api/admin/zones/:id', ADMINS, `/api/admin/zones/${NO_ID}`),
  // A real zone that holds checkpoints: its admin gets 409 (nothing deleted), anyone else a refusal.
  { method: 'DELETE', route: '/api/admin/zones/:id', request: (f) => ({ path: `/api/admin/zones/${f.zoneA}` }), allow: ['A001'], scoped: true },
  get('/api/admin/checkpoints', ADMINS),
  get('/api/admin/checkpoints/export', ADMINS),
  write('POST', '/api/admin/checkpoints/import', ADMINS),
  write('POST', '/api/admin/checkpoints', ADMINS),
  write('PUT', '/api/admin/checkpoints/:id', ADMINS, `/api/admin/checkpoints/${NO_ID}`),
  write('DELETE', '/api/admin/checkpoints/:id', ADMINS, `/api/admin/checkpoints/${NO_ID}`, undefined),
  get('/api/admin/plans', ADMINS),
  write('POST', '/api/admin/plans', ADMINS),
  write('PUT', '/api/admin/plans/:id', ADMINS, `/api/admin/plans/${NO_ID}`),
  write('DELETE', '/api/admin/plans/:id', ADMINS, `/api/admin/plans/${NO_ID}`, undefined),
  get('/api/admin/control-points', ADMINS),
  get('/api/admin/control-points/export', ADMINS),
  write('POST', '/api/admin/control-points/import', ADMINS),
  write('POST', '/api/admin/control-points', ADMINS),
  write('PUT', '/api/admin/control-points/:id', ADMINS, `/api/admin/control-points/${NO_ID}`),
  write('DELETE', '/api/admin/control-points/:id', ADMINS, `/api/admin/control-points/${NO_ID}`, undefined),
  get('/api/admin/areas/export', ADMINS),
  write('POST', '/api/admin/areas/import', ADMINS),
  get('/api/admin/incident-categories', ADMINS),
  write('POST', '/api/admin/incident-categories', ADMINS),
  write('PUT', '/api/admin/incident-categories/:code/hidden', ADMINS, '/api/admin/incident-categories/no-such-code/hidden'),
  get('/api/admin/incident-settings', ADMINS),
  write('PUT', '/api/admin/incident-settings', ADMINS),
  get('/api/admin/users', ADMINS),
  write('POST', '/api/admin/users', ADMINS),
  {
    method: 'PUT',
    route: '/api/admin/users/:id',
    request: (f) => ({ path: `/api/admin/users/${f.j001}`, body: { name: '陈志强', role: 'officer', squadId: '0190a1f0-0000-7000-8000-00000000000a' } }),
    allow: ['A001'],
    scoped: true,
  },
  {
    method: 'POST',
    route: '/api/admin/users/:id/disabled',
    request: (f) => ({ path: `/api/admin/users/${f.j001}/disabled`, body: { disabled: false } }),
    allow: ['A001'],
    scoped: true,
  },
  { method: 'POST', route: '/api/admin/users/:id/password-reset', request: () => ({ path: `/api/admin/users/${NO_ID}/password-reset` }), allow: ADMINS },
  write('POST', '/api/admin/roster', ADMINS),
  write('POST', '/api/admin/squads', ADMINS),
  write('PUT', '/api/admin/squads/:id', ADMINS, `/api/admin/squads/${NO_ID}`),
  get('/api/admin/unit', ADMINS),
  write('PUT', '/api/admin/unit', ADMINS),
  get('/api/admin/password-rules', ADMINS),
  write('PUT', '/api/admin/password-rules', ADMINS),
  get('/api/admin/audit', ADMINS),
  get('/api/admin/audit.csv', ADMINS),
];

const key = (method: string, route: string) => `${method} ${route}`;

describe.each(DATABASES)('authorisation matrix on %s', (kind) => {
  let server: TestServer;
  const routes = new Set<string>();
  const clients = new Map<Caller, Client>();
  let fixture: Fixture;

  beforeAll(async () => {
    server = await startServer(kind, {
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url.startsWith('/api/')) routes.add(key(method, route.url));
      },
    });
    // Another unit with its own admin.
    const { db } = server.database;
    await db.insertInto('units').values({ id: 'unit-z', name_zh: '别的大队', name_en: 'Another Brigade' }).execute();
    await db
      .insertInto('users')
      .values({
        id: 'user-x001',
        badge: 'X001',
        name: '外单位管理员',
        role: 'admin',
        unit_id: 'unit-z',
        squad_id: null,
        password_hash: await hashPassword(PASSWORD),
        created_at: server.clock.now().toISOString(),
      })
      .execute();
    for (const caller of CALLERS) {
      const client = new Client(server.url);
      if (caller !== 'anon') expect((await client.login(caller)).status).toBe(200);
      clients.set(caller, client);
    }
    const j001 = (await db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    const device = await TestDevice.create(j001);
    expect((await device.register(clients.get('J001') ?? new Client(server.url))).status).toBe(201);
    const zoneA = await db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select('zones.id')
      .where('squads.code', '=', 'A')
      .executeTakeFirstOrThrow();
    fixture = { j001, deviceJ001: device.deviceId, zoneA: zoneA.id };
  });
  afterAll(() => server.close());

  it('has one row for every registered endpoint, and none for an endpoint that is gone', () => {
    const rows = new Set(ROWS.map((r) => key(r.method, r.route)));
    expect([...routes].filter((r) => !rows.has(r)).sort()).toEqual([]);
    expect([...rows].filter((r) => !routes.has(r)).sort()).toEqual([]);
  });

  it('lets through exactly the callers each row allows', async () => {
    const wrong: string[] = [];
    // Who may call a write goes last, so a write that does land (a revocation) comes after every refusal.
    for (const row of ROWS) {
      const order = [...CALLERS].sort((a, b) => Number(row.allow.includes(a)) - Number(row.allow.includes(b)));
      for (const caller of order) {
        let client = clients.get(caller) ?? new Client(server.url);
        if (row.fresh && caller !== 'anon') {
          client = new Client(server.url);
          await client.login(caller);
        }
        const { path, body } = row.request(fixture);
        const status = await statusOf(client, row.method, path, body);
        const denied = row.tokenOnly ? status >= 400 : status === 401 || status === 403 || (status === 404 && (row.scoped || !row.allow.includes(caller)));
        const allowed = row.allow.includes(caller);
        if (allowed === denied) wrong.push(`${row.method} ${path} as ${caller}: ${status}, expected ${allowed ? 'allow' : 'deny'}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** The status of one call; a stream (the live channel) is closed once its headers are in. */
async function statusOf(client: Client, method: string, path: string, body: unknown): Promise<number> {
  const controller = new AbortController();
  const headers: Record<string, string> = client.cookie ? { cookie: client.cookie } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(client.base + path, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: controller.signal });
  controller.abort();
  return response.status;
}
