import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfigResponse } from '../../../src/domain/protocol/config.js';
import { readMapConfig } from '../../../src/server/config.js';
import { buildHuichengDemo } from '../../../src/server/demo/huicheng.js';
import { writePmtiles } from '../../support/pmtiles.js';
import { Client, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';

const STATIC_DIR = 'dist/app';

describe.each(DATABASES)('HTTP surface on %s', (kind) => {
  let server: TestServer;
  let client: Client;
  beforeAll(async () => {
    if (!existsSync(join(STATIC_DIR, 'index.html'))) throw new Error('run `npm run build` first (npm test does)');
    server = await startServer(kind, { staticDir: STATIC_DIR });
    client = new Client(server.url);
  });
  afterAll(() => server.close());

  it('tells a signed-in user the outline of their unit’s district, which the demo seeds', async () => {
    expect((await client.request('GET', '/api/config')).status).toBe(401);
    const leader = new Client(server.url);
    await leader.login('L002');
    const { boundaries } = (await (await leader.request('GET', '/api/config')).json()) as AppConfigResponse;
    expect(boundaries).toEqual([{ name: { 'zh-CN': '惠城区', en: 'Huicheng District' }, polygon: buildHuichengDemo().outline }]);
  });

  it('reports health with the database kind and version', async () => {
    const response = await client.request('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: kind, version: 'test' });
  });

  it('sends a strict CSP and the usual security headers on pages and API', async () => {
    for (const path of ['/', '/api/health']) {
      const response = await client.request('GET', path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
    }
    expect((await client.request('GET', '/api/health')).headers.get('cache-control')).toBe('no-store');
  });

  it('serves the app shell, its manifest and a revalidated service worker; deep links get the shell', async () => {
    const page = await client.request('GET', '/officer');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    const sw = await client.request('GET', '/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const manifest = await client.request('GET', '/manifest.webmanifest');
    expect(manifest.status).toBe(200);
  });

  it('answers unknown API routes and missing files with a JSON 404, never the app shell', async () => {
    for (const path of ['/api/nope', '/api/auth/login/extra', '/missing.js']) {
      const response = await client.request('GET', path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not-found', message: expect.stringContaining('no route') });
    }
  });

  it('rejects malformed JSON with a 400 that says so without repeating the body', async () => {
    for (const text of ['{"badge": "J001", "password": ', 'secret-password-typed-here']) {
      const response = await client.request('POST', '/api/auth/login', text);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body).toMatchObject({ error: 'bad-request', message: expect.stringMatching(/JSON/i) });
      expect(body.message).not.toContain('J001');
      expect(body.message).not.toContain('secret');
    }
    const wrongType = await client.request('POST', '/api/auth/login', { badge: 'J001', password: { secret: 'hunter2hunter2' } });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).not.toContain('hunter2');
  });

  it('answers errors of the HTTP layer itself (a broken URL, headers too large) in the same JSON shape', async () => {
    const badUrl = await client.request('GET', '/api/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    expect(await badUrl.json()).toMatchObject({ error: 'bad-request', message: expect.any(String) });

    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`));
      let out = '';
      socket.on('data', (chunk) => (out += chunk.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'bad-request', message: 'request headers are too large' });
  });

  it('does not serve source maps', async () => {
    const page = await (await client.request('GET', '/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const js = await client.request('GET', script ?? '');
    expect(js.status).toBe(200);
    expect(await js.text()).not.toContain('sourceMappingURL');
    expect((await client.request('GET', `${script}.map`)).status).toBe(404);
  });

  it('names the missing or wrong field of a login body', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ password: PASSWORD }, /badge/],
      [{ badge: 'J001' }, /password/],
      [{ badge: 12, password: PASSWORD }, /badge/],
      [{ badge: 'J001', password: PASSWORD, admin: true }, /admin|nothing else/],
      [[], /badge/],
    ];
    for (const [body, message] of cases) {
      const response = await client.request('POST', '/api/auth/login', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
  });

  it('rejects an oversized body with 413 and a non-JSON body with 415', async () => {
    const big = await client.request('POST', '/api/auth/login', { badge: 'J001', password: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'payload-too-large' });
    const text = await client.request('POST', '/api/auth/login', 'badge=J001', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: 'unsupported-media-type' });
  });

  it('keeps serving after all of that bad input', async () => {
    expect((await client.request('GET', '/api/health')).status).toBe(200);
    expect((await client.login('J001')).status).toBe(200);
  });
});

describe('HTTPS', () => {
  let server: TestServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xf-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = await startServer('sqlite', { https: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
  });
  afterAll(() => server.close());

  it('marks the session cookie Secure and sends HSTS when serving TLS', async () => {
    const body = JSON.stringify({ badge: 'J001', password: PASSWORD });
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = httpsRequest(
        `${server.url}/api/auth/login`,
        { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(res.headers) : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(String(headers['set-cookie'])).toMatch(/; Secure/);
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});

describe('base-map configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xf-map-'));
  const archive = writePmtiles(new Map([['0/0/0', new Uint8Array([7, 7, 7])]]), [114, 23, 115, 24]);
  writeFileSync(join(dir, 'huicheng.pmtiles'), archive);
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ name: string; env: Record<string, string>; sees: object; admits: string[] }> = [
    { name: 'no base map', env: {}, sees: { base: { kind: 'none' }, gcj02: false }, admits: [] },
    {
      name: 'a raster template (GCJ-02)',
      env: { MAP_RASTER_TILES: 'https://tiles.example.org/{z}/{x}/{y}.png', MAP_GCJ02: '1' },
      sees: { base: { kind: 'raster', tiles: 'https://tiles.example.org/{z}/{x}/{y}.png' }, gcj02: true },
      admits: ['https://tiles.example.org'],
    },
    {
      name: 'a style with its tile origin',
      env: { MAP_STYLE_URL: 'https://styles.example.org/v1/style.json', MAP_ORIGINS: 'https://vt.example.org' },
      sees: { base: { kind: 'style', url: 'https://styles.example.org/v1/style.json' }, gcj02: false },
      admits: ['https://styles.example.org', 'https://vt.example.org'],
    },
    {
      name: 'a remote PMTiles archive',
      env: { MAP_PMTILES: 'https://cdn.example.org/huicheng.pmtiles' },
      sees: { base: { kind: 'pmtiles', url: 'https://cdn.example.org/huicheng.pmtiles' }, gcj02: false },
      admits: ['https://cdn.example.org'],
    },
    {
      name: 'a PMTiles archive on our disk',
      env: { MAP_PMTILES: join(dir, 'huicheng.pmtiles') },
      sees: { base: { kind: 'pmtiles', url: '/map/huicheng.pmtiles' }, gcj02: false },
      admits: [],
    },
  ];

  for (const c of cases) {
    it(`with ${c.name}: tells signed-in users the settings and widens the CSP by exactly ${c.admits.join(', ') || 'nothing'}`, async () => {
      const server = await startServer('sqlite', { map: readMapConfig(c.env) });
      try {
        const client = new Client(server.url);
        expect((await client.request('GET', '/api/config')).status).toBe(401);
        await client.login('J001');
        const response = await client.request('GET', '/api/config');
        expect(await response.json()).toEqual({ map: c.sees, boundaries: [expect.objectContaining({ name: { 'zh-CN': '惠城区', en: 'Huicheng District' } })] });
        const csp = response.headers.get('content-security-policy') ?? '';
        expect(csp).toContain(`img-src 'self' data: blob:${c.admits.map((o) => ` ${o}`).join('')};`);
        expect(csp).toContain(`connect-src 'self'${c.admits.map((o) => ` ${o}`).join('')};`);
        expect(csp).toContain("worker-src 'self' blob:;");
        expect(csp).toContain("script-src 'self';");
      } finally {
        await server.close();
      }
    });
  }

  it('serves an archive on our disk in byte ranges to signed-in users, and nothing else of its folder', async () => {
    const server = await startServer('sqlite', { map: readMapConfig({ MAP_PMTILES: join(dir, 'huicheng.pmtiles') }) });
    try {
      expect((await fetch(`${server.url}/map/huicheng.pmtiles`)).status).toBe(401);
      const officer = new Client(server.url);
      await officer.login('J001');
      const head = await officer.request('GET', '/map/huicheng.pmtiles', undefined, { range: 'bytes=0-6' });
      expect(head.status).toBe(206);
      expect(await head.text()).toBe('PMTiles');
      const whole = await officer.request('GET', '/map/huicheng.pmtiles');
      expect(Buffer.from(await whole.arrayBuffer()).equals(archive)).toBe(true);
      expect((await officer.request('GET', '/map/secret.txt')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
