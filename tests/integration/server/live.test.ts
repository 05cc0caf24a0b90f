import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import { Client, DATABASES, startPeerServer, startServer, type TestServer } from '../harness.js';
import { LiveStream } from '../live-stream.js';

const checkpointBody = (zoneId: string, n: number) => ({
  zoneId,
  name: { 'zh-CN': `临时卡点${n}`, en: `Temporary post ${n}` },
  type: 'other',
  shape: { kind: 'circle', center: [114.405 + n / 10_000, 23.115], radiusM: 50 },
  minDwellS: 60,
});

/**
 * The servers here look for lost wake-ups only every ten minutes, so an event that arrives at all
 * was carried by its commit's wake-up (NOTIFY on PostgreSQL); waits are generous for a busy machine.
 */
const NO_SAFETY_POLL = { liveSafetyPollMs: 10 * 60_000 };

describe.each(DATABASES)('the live channel on %s', (kind) => {
  let server: TestServer;
  let admin: Client;
  let officer: Client;
  let zoneA: string;
  const streams: LiveStream[] = [];
  const open = async (...args: Parameters<typeof LiveStream.open>) => {
    const stream = await LiveStream.open(...args);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    server = await startServer(kind, { liveHeartbeatMs: 200, ...NO_SAFETY_POLL });
    admin = new Client(server.url);
    await admin.login('A001');
    officer = new Client(server.url);
    await officer.login('J001');
    const zone = await server.database.db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select('zones.id')
      .where('squads.code', '=', 'A')
      .executeTakeFirstOrThrow();
    zoneA = zone.id;
  });
  afterAll(async () => {
    streams.forEach((s) => s.close());
    await server.close();
  });

  it('refuses a stream without a session, and a malformed Last-Event-ID, with a reason', async () => {
    const anonymous = await fetch(`${server.url}/api/live`);
    expect(anonymous.status).toBe(401);
    const bad = await LiveStream.open(server.url, officer, { 'last-event-id': '12abc' });
    expect(bad.response.status).toBe(400);
    expect(((await bad.response.json()) as ApiErrorBody).message).toMatch(/whole number/);
  });

  it('tells a signed-in officer as soon as there is something new to pull, woken by the change, as a strict-CSP event stream', async () => {
    const stream = await open(server.url, officer);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await admin.request('POST', '/api/admin/checkpoints', checkpointBody(zoneA, 1))).status).toBe(201);
    const [event] = await stream.next(1, 10_000);
    expect(event).toMatchObject({ event: 'changes' });
    expect(Number(event!.id)).toBeGreaterThan(0);
  });

  it('resumes from Last-Event-ID with exactly the events missed: none twice, none lost', async () => {
    const first = await open(server.url, officer);
    await admin.request('POST', '/api/admin/checkpoints', checkpointBody(zoneA, 2));
    const [seen] = await first.next(1);
    first.close();
    // Missed while away: three more changes.
    for (const n of [3, 4, 5]) await admin.request('POST', '/api/admin/checkpoints', checkpointBody(zoneA, n));
    const resumed = await open(server.url, officer, { 'last-event-id': seen!.id! });
    const replayed = await resumed.next(3);
    expect(replayed).toHaveLength(3);
    const ids = replayed.map((e) => Number(e.id));
    expect(ids.every((id) => id > Number(seen!.id))).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // And then live again, after the replay.
    await admin.request('POST', '/api/admin/checkpoints', checkpointBody(zoneA, 6));
    const after = await resumed.next(4);
    expect(after).toHaveLength(4);
    expect(Number(after[3]!.id)).toBeGreaterThan(ids[2]!);
  });

  it('tells a client whose resume point it cannot honour to pull instead of pretending', async () => {
    const stream = await open(server.url, officer, {}, '?after=2000000000');
    const [event] = await stream.next(1);
    expect(event).toMatchObject({ event: 'resync' });
  });

  it('keeps an idle stream open with heartbeats and ends it when its session is signed out', async () => {
    const own = new Client(server.url);
    await own.login('J002');
    const stream = await open(server.url, own);
    await stream.until(() => stream.comments >= 2, 3_000);
    expect(stream.comments).toBeGreaterThanOrEqual(2);
    expect(stream.closed).toBe(false);
    await own.request('POST', '/api/auth/logout');
    await stream.until(() => stream.closed, 3_000);
    expect(stream.closed).toBe(true);
  });

  it('sends a task event to exactly the users who may see the task', async () => {
    const badges = ['J001', 'J002', 'J004', 'L001', 'L002', 'S001'];
    const users = await server.database.db.selectFrom('users').select(['id', 'badge']).execute();
    const idOf = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    const watching: Record<string, LiveStream> = {};
    for (const badge of badges) {
      const client = new Client(server.url);
      await client.login(badge);
      watching[badge] = await open(server.url, client);
    }
    const leader = new Client(server.url);
    await leader.login('L001');
    const created = await leader.request('POST', '/api/tasks', { kind: 'check', title: '盘查', assignee: { to: 'officer', officerId: idOf.J001 } });
    expect(created.status).toBe(201);
    // The creation's events are in the table before the response; give every stream time to see them.
    const seen = async (badge: string) => (await watching[badge]!.next(1, 5_000)).filter((e) => e.event === 'task').length > 0;
    expect(Object.fromEntries(await Promise.all(badges.map(async (b) => [b, await seen(b)] as const)))).toEqual({
      J001: true,
      J002: false,
      J004: false,
      L001: true,
      L002: false,
      S001: true,
    });
  });

  // Several server processes exist only on PostgreSQL (SQLite is one process by design).
  if (kind === 'postgres')
    it('reaches a client on another server process of the same database (LISTEN/NOTIFY)', async () => {
      const peer = await startPeerServer(server, NO_SAFETY_POLL);
      try {
        const onPeer = await open(peer.url, officer);
        await admin.request('POST', '/api/admin/checkpoints', checkpointBody(zoneA, 7));
        const [event] = await onPeer.next(1, 10_000);
        expect(event).toMatchObject({ event: 'changes' });
        onPeer.close();
      } finally {
        await peer.close();
      }
    });
});
