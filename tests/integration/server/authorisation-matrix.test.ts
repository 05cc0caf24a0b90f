import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { seedAnotherUnit, seedOfficerData, type OfficerData } from '../scope-fixture.js';

// One table: every endpoint the server registers × who asks. Callers stand in for the scopes
// around one subject, officer J001 of squad A: signed out; J001 (own); J002 (same squad, not
// own); L001 (their squad's leader); L002 (another squad's leader: same unit); S001 and A001
// (the unit); Z001, ZL01, ZS01 and X001 (an officer, leader, supervisor and admin of another
// unit). `allow` lists who gets through; everyone else must get 401, 403, or a 404 that cannot
// be told from "no such thing". Rows that read J001's data (real ids, see scope-fixture.ts) say
// in `sees` who gets it back: every other caller is refused or answered without it. A
// registered endpoint without a row fails the test: a new endpoint must say who may call it.

const CALLERS = ['anon', 'J001', 'J002', 'L001', 'L002', 'S001', 'A001', 'Z001', 'ZL01', 'ZS01', 'X001'] as const;
type Caller = (typeof CALLERS)[number];

const OFFICERS: Caller[] = ['J001', 'J002', 'Z001'];
const LEADERS: Caller[] = ['L001', 'L002', 'ZL01'];
const SUPERVISORS: Caller[] = ['S001', 'ZS01'];
const ADMINS: Caller[] = ['A001', 'X001'];
const ANY: Caller[] = [...OFFICERS, ...LEADERS, ...SUPERVISORS, ...ADMINS];
const EVERYONE: Caller[] = ['anon', ...ANY];
const COMMAND: Caller[] = [...LEADERS, ...SUPERVISORS];
const READERS: Caller[] = [...COMMAND, ...ADMINS];
/** Who may see J001's own data: J001, their leader, the unit's supervisor and admin. */
const J001_SCOPE: Caller[] = ['J001', 'L001', 'S001', 'A001'];
/** Who commands J001's squad: their leader and the unit's supervisor. */
const J001_COMMAND: Caller[] = ['L001', 'S001'];
/** Who reads unit A's things (its people, areas, index): its leaders, supervisor and admin. */
const UNIT_A_READERS: Caller[] = ['L001', 'L002', 'S001', 'A001'];
const NONE: Caller[] = [];

type Fixture = OfficerData;

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as registered (`:id` and all). */
  route: string;
  /** The request made: path and body; bodies of allowed writes are invalid on purpose (a 400 has passed the gate and changed nothing), unless the row is `scoped`. */
  request: (f: Fixture) => { path: string; body?: unknown };
  allow: Caller[];
  /** A 404 means "out of scope" here (real ids are used), so it must not answer an allowed caller. */
  scoped?: boolean;
  /** For reads: the answer carries this id of J001's (or unit A's) data to exactly `by`, and to no other caller it answers. */
  sees?: { id: (f: Fixture) => string; by: Caller[] };
  /** Makes a session unusable (sign-out): each caller signs in afresh for it. */
  fresh?: boolean;
  /** Authenticated by a tracker's token, not a session: without one, any 4xx is a refusal. */
  tokenOnly?: boolean;
}

const WINDOW = 'from=2026-11-29T00:00:00.000Z&to=2026-11-29T12:00:00.000Z';
const NO_ID = '0190a1f0-0000-7000-8000-ffffffffffff';
const NO_HASH = '0'.repeat(64);
const get = (route: string, allow: Caller[], path = route, scoped = false): Row => ({ method: 'GET', route, request: () => ({ path }), allow, scoped });
/** A read that answers with `id` (of J001's data) to exactly `by`. */
const seen = (row: Row, id: (f: Fixture) => string, by: Caller[]): Row => ({ ...row, sees: { id, by } });
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
  seen(get('/api/devices', ANY), (f) => f.deviceJ001, J001_SCOPE),
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
  // The roster part of a pull: the officer's squad for officers and leaders, the unit for the rest.
  seen(get('/api/sync/pull', ANY), (f) => f.j001, ['J001', 'J002', 'L001', 'S001', 'A001']),
  write('PUT', '/api/blobs/:sha256', ANY, `/api/blobs/${NO_HASH}`),
  { method: 'GET', route: '/api/blobs/:sha256', request: (f) => ({ path: `/api/blobs/${f.photoJ001}` }), allow: J001_SCOPE, scoped: true },

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
  { method: 'GET', route: '/api/incidents/:id', request: (f) => ({ path: `/api/incidents/${f.incidentJ001}` }), allow: J001_SCOPE, scoped: true },
  seen(get('/api/incidents', ANY), (f) => f.incidentJ001, J001_SCOPE),

  // Command: leaders and supervisors (and admins where they read).
  { method: 'GET', route: '/api/coverage', request: (f) => ({ path: `/api/coverage?zoneId=${f.zoneA}` }), allow: ['L001', 'S001', 'A001'], scoped: true },
  seen(get('/api/shifts/open', READERS), (f) => f.shiftJ001, ['L001', 'S001', 'A001']),
  get('/api/shifts/equipment-losses', COMMAND),
  write('POST', '/api/shifts/equipment-losses/resolve', COMMAND),
  seen(get('/api/tasks', [...OFFICERS, ...COMMAND]), (f) => f.taskJ001, ['J001', ...J001_COMMAND]),
  write('POST', '/api/tasks', COMMAND),
  // J001's task, given to J001 again, then cancelled: only who commands squad A may.
  {
    method: 'POST',
    route: '/api/tasks/:id/reassign',
    request: (f) => ({ path: `/api/tasks/${f.taskJ001}/reassign`, body: { assignee: { to: 'officer', officerId: f.j001 } } }),
    allow: J001_COMMAND,
    scoped: true,
  },
  { method: 'POST', route: '/api/tasks/:id/cancel', request: (f) => ({ path: `/api/tasks/${f.taskJ001}/cancel` }), allow: J001_COMMAND, scoped: true },
  write('POST', '/api/lockdowns/proposal', COMMAND),
  write('POST', '/api/lockdowns', COMMAND),
  get('/api/lockdowns', COMMAND),
  write('POST', '/api/lockdowns/:id/end', COMMAND, `/api/lockdowns/${NO_ID}/end`),
  seen(get('/api/squad/live', COMMAND), (f) => f.j001, J001_COMMAND),
  write('POST', '/api/sos/:id/ack', COMMAND, `/api/sos/${NO_ID}/ack`),
  seen(get('/api/safety-index', READERS), (f) => f.areaA, UNIT_A_READERS),
  seen(get('/api/areas', READERS), (f) => f.areaA, UNIT_A_READERS),
  seen(get('/api/roster', READERS), (f) => f.j001, ['L001', 'S001', 'A001']),

  // Native trackers: the officer pairs their own; the reports carry a tracker token, never a session.
  seen(get('/api/trackers', OFFICERS), (f) => f.trackerJ001, ['J001']),
  write('POST', '/api/trackers', OFFICERS),
  { method: 'POST', route: '/api/trackers/:id/revoke', request: (f) => ({ path: `/api/trackers/${f.trackerJ001}/revoke` }), allow: ['J001'], scoped: true },
  { ...write('POST', '/api/native/owntracks', NONE), tokenOnly: true },
  { ...get('/api/native/osmand', NONE), tokenOnly: true },
  { ...write('POST', '/api/native/osmand', NONE), tokenOnly: true },

  // The admin's desk, each admin within their own unit.
  // Deletes name unit A's real checkpoint, plan and control point (its admin deletes them, last); the
  // edits check the body before the id, so with a bad body they can only show the door.
  seen(get('/api/admin/zones', ADMINS), (f) => f.zoneA, ['A001']),
  seen(get('/api/admin/zones/export', ADMINS), (f) => f.zoneA, ['A001']),
  write('POST', '/api/admin/zones/import', ADMINS),
  write('POST', '/api/admin/zones', ADMINS),
  write('PUT', '/api/admin/zones/:id', ADMINS, `/api/admin/zones/${NO_ID}`),
  // A real zone that holds checkpoints: its admin gets 409 (nothing deleted), anyone else a refusal.
  { method: 'DELETE', route: '/api/admin/zones/:id', request: (f) => ({ path: `/api/admin/zones/${f.zoneA}` }), allow: ['A001'], scoped: true },
  seen(get('/api/admin/checkpoints', ADMINS), (f) => f.checkpointA, ['A001']),
  seen(get('/api/admin/checkpoints/export', ADMINS), (f) => f.checkpointA, ['A001']),
  write('POST', '/api/admin/checkpoints/import', ADMINS),
  write('POST', '/api/admin/checkpoints', ADMINS),
  write('PUT', '/api/admin/checkpoints/:id', ADMINS, `/api/admin/checkpoints/${NO_ID}`),
  {
    method: 'DELETE',
    route: '/api/admin/checkpoints/:id',
    request: (f) => ({ path: `/api/admin/checkpoints/${f.checkpointA}` }),
    allow: ['A001'],
    scoped: true,
  },
  seen(get('/api/admin/plans', ADMINS), (f) => f.planA, ['A001']),
  write('POST', '/api/admin/plans', ADMINS),
  write('PUT', '/api/admin/plans/:id', ADMINS, `/api/admin/plans/${NO_ID}`),
  { method: 'DELETE', route: '/api/admin/plans/:id', request: (f) => ({ path: `/api/admin/plans/${f.planA}` }), allow: ['A001'], scoped: true },
  seen(get('/api/admin/control-points', ADMINS), (f) => f.controlPointA, ['A001']),
  seen(get('/api/admin/control-points/export', ADMINS), (f) => f.controlPointA, ['A001']),
  write('POST', '/api/admin/control-points/import', ADMINS),
  write('POST', '/api/admin/control-points', ADMINS),
  write('PUT', '/api/admin/control-points/:id', ADMINS, `/api/admin/control-points/${NO_ID}`),
  {
    method: 'DELETE',
    route: '/api/admin/control-points/:id',
    request: (f) => ({ path: `/api/admin/control-points/${f.controlPointA}` }),
    allow: ['A001'],
    scoped: true,
  },
  seen(get('/api/admin/areas/export', ADMINS), (f) => f.areaA, ['A001']),
  write('POST', '/api/admin/areas/import', ADMINS),
  get('/api/admin/incident-categories', ADMINS),
  write('POST', '/api/admin/incident-categories', ADMINS),
  write('PUT', '/api/admin/incident-categories/:code/hidden', ADMINS, '/api/admin/incident-categories/no-such-code/hidden'),
  get('/api/admin/incident-settings', ADMINS),
  write('PUT', '/api/admin/incident-settings', ADMINS),
  seen(get('/api/admin/users', ADMINS), (f) => f.j001, ['A001']),
  write('POST', '/api/admin/users', ADMINS),
  {
    method: 'PUT',
    route: '/api/admin/users/:id',
    request: (f) => ({ path: `/api/admin/users/${f.j001}`, body: { name: '陈志强', role: 'officer', squadId: f.squadA } }),
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
  // J003 is no caller: their reset ends no session the table uses.
  {
    method: 'POST',
    route: '/api/admin/users/:id/password-reset',
    request: (f) => ({ path: `/api/admin/users/${f.j003}/password-reset` }),
    allow: ['A001'],
    scoped: true,
  },
  write('POST', '/api/admin/roster', ADMINS),
  write('POST', '/api/admin/squads', ADMINS),
  {
    method: 'PUT',
    route: '/api/admin/squads/:id',
    request: (f) => ({ path: `/api/admin/squads/${f.squadA}`, body: { name: { 'zh-CN': '一中队', en: 'Squad A' } } }),
    allow: ['A001'],
    scoped: true,
  },
  get('/api/admin/unit', ADMINS),
  write('PUT', '/api/admin/unit', ADMINS),
  get('/api/admin/password-rules', ADMINS),
  write('PUT', '/api/admin/password-rules', ADMINS),
  seen(get('/api/admin/audit', ADMINS), (f) => f.deviceJ001, ['A001']),
  seen(get('/api/admin/audit.csv', ADMINS), (f) => f.deviceJ001, ['A001']),
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
    const others = await seedAnotherUnit(server);
    for (const caller of CALLERS) {
      const client = others.get(caller) ?? new Client(server.url);
      if (caller !== 'anon' && !others.has(caller)) expect((await client.login(caller)).status).toBe(200);
      clients.set(caller, client);
    }
    fixture = await seedOfficerData(server, clients.get('J001') ?? new Client(server.url), clients.get('L001') ?? new Client(server.url));
    // A dozen sign-ins and a roster import hash passwords on purpose slowly; on a busy machine that takes a while.
  }, 180_000);
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
        const { status, text } = await call(client, row.method, path, body, row.sees !== undefined);
        const denied = row.tokenOnly ? status >= 400 : status === 401 || status === 403 || (status === 404 && (row.scoped || !row.allow.includes(caller)));
        const allowed = row.allow.includes(caller);
        if (allowed === denied) wrong.push(`${row.method} ${path} as ${caller}: ${status}, expected ${allowed ? 'allow' : 'deny'}`);
        if (row.sees && !denied) {
          const sees = row.sees.by.includes(caller);
          if (text.includes(row.sees.id(fixture)) !== sees) wrong.push(`${row.method} ${path} as ${caller}: J001's data ${sees ? 'missing' : 'shown'}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // About 1,200 requests, each a session lookup and most a database read.
  }, 180_000);
});

/** The status of one call, and its body when asked; a stream (the live channel) is closed once its headers are in. */
async function call(client: Client, method: string, path: string, body: unknown, read: boolean): Promise<{ status: number; text: string }> {
  const controller = new AbortController();
  const headers: Record<string, string> = client.cookie ? { cookie: client.cookie } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(client.base + path, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: controller.signal });
  const text = read ? await response.text() : '';
  controller.abort();
  return { status: response.status, text };
}
