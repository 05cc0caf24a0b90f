import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DATABASES, freshStorage } from '../harness.js';

const MAIN = 'dist/node/server/main.js';

/** Runs the built server as `npm start` does and waits for the banner with the URL and logins. */
async function start(env: Record<string, string>): Promise<{ child: ChildProcess; banner: string; url: string }> {
  if (!existsSync(MAIN)) throw new Error('run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env } });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/demo password: .+\n/.test(output)) resolve(output);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const url = /open (https?:\/\/\S+?)\/?\n/.exec(banner)?.[1];
  if (!url) throw new Error(`no URL in banner:\n${banner}`);
  return { child, banner, url };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

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

  it.each(DATABASES)('seeds an empty %s database with the demo, prints the URL and logins, and serves app and API', async (kind) => {
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
  });

  it('prints a random demo password when DEMO_PASSWORD is unset, and keeps the data on restart', async () => {
    const dir = dataDir();
    const first = await start({ DATA_DIR: dir, DATABASE_URL: '', DEMO_PASSWORD: '' });
    const password = /demo password: (\S+) \(random/.exec(first.banner)?.[1];
    expect(password).toMatch(/^xf-[\w-]{8}$/);
    await stop(first.child);

    const second = await start({ DATA_DIR: dir, DATABASE_URL: '', DEMO_PASSWORD: '' });
    cleanups.push(() => stop(second.child));
    expect(second.banner).toContain('the one printed when this database was first seeded');
    expect((await new Client(second.url).login('J001', password)).status).toBe(200);
  });
});
