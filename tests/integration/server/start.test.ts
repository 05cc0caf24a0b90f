import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DATABASES, freshStorage, spawnServer as start, stopServer as stop } from '../harness.js';

describe('npm start', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'xf-start-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  it.each(DATABASES)(
    'seeds an empty %s database with the demo, prints the URL and logins, and serves app and API',
    async (kind) => {
      const storage = await freshStorage(kind);
      cleanups.push(storage.drop);
      const { child, banner, url } = await start({ ...storage.env, DEMO_PASSWORD: 'demo-pass-1' });
      cleanups.push(() => stop(child));
      expect(banner).toContain(kind === 'sqlite' ? `SQLite in ${storage.env.DATA_DIR}` : 'PostgreSQL');
      for (const badge of ['J001', 'J006', 'L001', 'L002', 'S001', 'A001']) expect(banner).toContain(badge);
      expect(banner).toContain('demo password: demo-pass-1');
      expect(existsSync(join(storage.env.DATA_DIR, 'xunfang.sqlite'))).toBe(kind === 'sqlite');

      const health = await fetch(`${url}/api/health`);
      expect(await health.json()).toMatchObject({ ok: true, db: kind, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      const client = new Client(url);
      expect((await client.login('L002', 'demo-pass-1')).status).toBe(200);
      // A first start of a real server (migrations, the demo seed and its password hashes): seconds
      // on a quiet machine, over 30 s beside the browser tests on CI's 2 cores.
    },
    120_000,
  );

  it('prints a random demo password when DEMO_PASSWORD is unset, and keeps the data on restart', async () => {
    const dir = dataDir();
    const first = await start({ DATA_DIR: dir, DATABASE_URL: '', DEMO_PASSWORD: '' });
    const password = /demo password: (\S+) \(random/.exec(first.banner)?.[1];
    expect(password).toMatch(/^xf-[\w-]{8}$/);
    await stop(first.child);

    const second = await start({ DATA_DIR: dir, DATABASE_URL: '', DEMO_PASSWORD: '' });
    cleanups.push(() => stop(second.child));
    expect(second.banner).toContain('the one printed when this database was first seeded');
    expect(second.banner).toContain(`forgotten? stop the server, delete ${dir} (this erases all data), and start again with DEMO_PASSWORD=… set`);
    expect((await new Client(second.url).login('J001', password)).status).toBe(200);
  });
});
