import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/server/app.js';
import { FolderBlobStore } from '../../../src/server/blobs/blob-store.js';
import { seedDemo } from '../../../src/server/demo/seed.js';
import { DATABASES, freshDatabase, PASSWORD } from '../harness.js';

interface Operation {
  summary?: string;
  security: unknown[];
  'x-roles'?: string[];
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema?: unknown; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Every method and URL in Fastify's own route tree (`printRoutes`), independent of the onRoute
 * list the document is made from. Each line is `├── /segment (GET, HEAD)`, nested four columns a level.
 */
function routeTree(app: FastifyInstance): Array<{ method: string; url: string }> {
  const stack: string[] = [];
  const out: Array<{ method: string; url: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│\s]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const url = stack.join('');
    for (const method of match[3]?.split(', ') ?? []) out.push({ method, url });
  }
  return out;
}

describe.each(DATABASES)('GET /api/openapi.json on %s', (kind) => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let document: OpenApiDocument;

  beforeAll(async () => {
    const { database, env, drop } = await freshDatabase(kind);
    await seedDemo(database.db, PASSWORD, new Date());
    app = await buildServer({ ctx: { database, now: () => new Date(), version: 'test', tls: false, blobs: new FolderBlobStore(join(env.DATA_DIR, 'blobs')) } });
    await app.ready();
    close = async () => (await app.close(), await database.close(), await drop());
    // No cookie: the description is public.
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(() => close());

  it('is OpenAPI 3.1, served to anyone: it describes shapes, which the app bundle holds already', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/api/openapi.json']?.get?.security).toEqual([]);
  });

  it('describes every route Fastify registered, each with a summary', () => {
    const api = routeTree(app).filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(50);
    const gets = new Set(api.filter((r) => r.method === 'GET').map((r) => r.url));
    const undescribed = api
      // Fastify answers HEAD from a GET by itself; the GET describes both.
      .filter((r) => !(r.method === 'HEAD' && gets.has(r.url)))
      .filter((r) => !document.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]?.summary)
      .map((r) => `${r.method} ${r.url}`);
    expect(undescribed).toEqual([]);
    // And nothing described that is not there.
    const described = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(described.filter((d) => !api.some((r) => `${r.method} ${r.url}` === d))).toEqual([]);
  });

  it('says who may call each route, as its guard decides', () => {
    const op = (path: string, method: string) => document.paths[path]?.[method];
    expect(op('/api/auth/login', 'post')?.security).toEqual([]);
    expect(op('/api/health', 'get')?.security).toEqual([]);
    expect(op('/api/sync/push', 'post')?.security).toEqual([{ session: [] }]);
    expect(op('/api/sync/push', 'post')?.['x-roles']).toBeUndefined();
    expect(op('/api/admin/zones', 'get')?.['x-roles']).toEqual(['admin']);
    expect(op('/api/tasks', 'post')?.responses).toHaveProperty('403');
    // Every path parameter is a parameter of its operation.
    for (const [path, ops] of Object.entries(document.paths))
      for (const operation of Object.values(ops))
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))
          expect(
            operation.parameters.find((p) => p.in === 'path' && p.name === name),
            `${path} {${name}}`,
          ).toBeTruthy();
  });

  it('carries the request schemas the server validates with', () => {
    const login = document.paths['/api/auth/login']?.post?.requestBody?.content['application/json']?.schema as { properties: object; required: string[] };
    expect(Object.keys(login.properties)).toEqual(['badge', 'password', 'deviceId']);
    expect(login.required).toEqual(['badge', 'password']);
    const pull = document.paths['/api/sync/pull']?.get?.parameters;
    expect(pull).toEqual([{ name: 'cursor', in: 'query', required: false, schema: expect.objectContaining({ type: 'string' }) }]);
    const push = document.paths['/api/sync/push']?.post?.requestBody?.content['application/json']?.schema as { properties: { records: { items: object } } };
    expect(JSON.stringify(push.properties.records.items)).toContain('"position"');
  });

  it('has request examples that pass their schemas', async () => {
    let examples = 0;
    for (const route of app.registeredRoutes) {
      for (const [name, example] of Object.entries(route.doc?.examples ?? {})) {
        examples++;
        const where = `${route.method} ${route.url} example ${name}`;
        for (const part of ['body', 'query', 'params'] as const) {
          if (example[part] === undefined) continue;
          const schema = route.doc?.[part];
          expect(schema, `${where}: a ${part} example needs a ${part} schema`).toBeDefined();
          const result = v.safeParse(schema!, example[part]);
          expect(
            result.issues?.map((i) => i.message),
            where,
          ).toBeUndefined();
        }
        // The document carries it.
        const path = route.url.replace(/:(\w+)/g, '{$1}');
        const documented = document.paths[path]?.[route.method.toLowerCase()]?.requestBody?.content['application/json']?.examples?.[name]?.value;
        if (example.body !== undefined) expect(documented, where).toEqual(example.body);
      }
    }
    expect(examples).toBeGreaterThan(3);
  });

  it('takes every request example, sent by a user its guard admits', async () => {
    // The demo password of the tests is the sign-in example's.
    const badgeOf = { officer: 'J001', leader: 'L001', supervisor: 'S001', admin: 'A001' } as Record<string, string>;
    const sessions = new Map<string, string>();
    const cookieOf = async (badge: string) => {
      if (!sessions.has(badge)) {
        const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { badge, password: PASSWORD } });
        expect(response.statusCode).toBe(200);
        sessions.set(badge, `xf_session=${response.cookies.find((c) => c.name === 'xf_session')?.value}`);
      }
      return sessions.get(badge)!;
    };
    for (const route of app.registeredRoutes) {
      for (const [name, example] of Object.entries(route.doc?.examples ?? {})) {
        const badge = route.access === null ? null : route.access === 'any' ? 'J001' : badgeOf[route.access[0]!]!;
        const url = route.url.replace(/:(\w+)/g, (_m, param: string) => example.params?.[param] ?? '');
        const response = await app.inject({
          method: route.method as 'GET',
          url,
          ...(example.query ? { query: example.query } : {}),
          ...(example.body !== undefined ? { payload: example.body as object } : {}),
          headers: badge ? { cookie: await cookieOf(badge) } : {},
        });
        expect(response.statusCode, `${route.method} ${route.url} example ${name}: ${response.body.slice(0, 200)}`).toBeLessThan(300);
      }
    }
  });
});
