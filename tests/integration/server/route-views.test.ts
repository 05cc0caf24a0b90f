import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteViewsResponse } from '../../../src/domain/protocol/track-audit.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

// The audit is itself audited: every look at an officer's route is kept, and the officer can see
// who looked, when and at which window.
describe.each(DATABASES)('who viewed whose route, on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    for (const badge of ['J001', 'J002', 'L001', 'L002', 'S001', 'A001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
  });
  afterAll(() => server.close());

  const views = async (badge: string, officerId?: string) => {
    const response = await clients[badge]!.request('GET', `/api/audit/views${officerId ? `?officerId=${officerId}` : ''}`);
    return { status: response.status, body: response.status === 200 ? await json<RouteViewsResponse>(response) : null };
  };

  it('logs each look at a route once, with who, what and the window, and shows the officer who looked', async () => {
    const from = new Date(server.clock.now().getTime() - 3600_000).toISOString();
    const to = server.clock.now().toISOString();
    expect((await clients.L001!.request('GET', `/api/audit/track?officerId=${ids.J001}&from=${from}&to=${to}`)).status).toBe(200);
    expect((await clients.S001!.request('GET', `/api/audit/native-track?officerId=${ids.J001}&from=${from}&to=${to}`)).status).toBe(200);
    // A later page of the same look is not a new look.
    const later = `${to}_0190a1f0-0000-7000-8000-000000000001`;
    expect((await clients.L001!.request('GET', `/api/audit/track?officerId=${ids.J001}&from=${from}&to=${to}&after=${later}`)).status).toBe(200);
    // A look refused for scope is no look.
    expect((await clients.L002!.request('GET', `/api/audit/track?officerId=${ids.J001}&from=${from}&to=${to}`)).status).toBe(403);

    const mine = await views('J001');
    expect(mine.status).toBe(200);
    expect(mine.body!.views.map((v) => [v.viewer.badge, v.what, v.from, v.to])).toEqual([
      ['S001', 'native', from, to],
      ['L001', 'track', from, to],
    ]);
    expect(mine.body!.views.every((v) => v.officerId === ids.J001)).toBe(true);
    // Their leader and supervisor may read the same list; the unit's admin reads every look.
    expect((await views('L001', ids.J001)).body!.views).toHaveLength(2);
    expect((await views('A001')).body!.views.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the list to those who may see the route: not another officer, not another squad’s leader', async () => {
    expect((await views('J002', ids.J001)).status).toBe(403);
    expect((await views('L002', ids.J001)).status).toBe(403);
    expect((await views('J002')).body!.views).toEqual([]);
    expect((await new Client(server.url).request('GET', '/api/audit/views')).status).toBe(401);
  });
});
