import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DATABASES, freshStorage, spawnServer, stopServer } from '../harness.js';

const MAIN = 'dist/node/server/main.js';

/** Starts the built server and kills it (SIGKILL) `afterMs` after `ready()` first holds. */
async function killDuringStart(env: Record<string, string>, ready: () => boolean, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  // A millisecond between looks: spinning on setImmediate held a whole core, and on a busy
  // 2-core machine starved the very server it was waiting for.
  while (!ready() && child.exitCode === null && Date.now() < deadline) await sleep(1);
  await sleep(afterMs);
  child.kill('SIGKILL');
  await exited;
}

describe.each(DATABASES)('a server killed during its first start on %s', (kind) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // SQLite: from the first write to its log (the migrations have begun; without a transaction
  // around them each statement lands on its own), then through the seed; PostgreSQL: from the
  // moment the process starts, which reaches the migrations after some 300 ms here.
  const points = kind === 'sqlite' ? [0, 8, 21, 34, 55] : [300];
  it.each(points)(
    'starts again and works after a kill %i ms in',
    async (afterMs) => {
      const storage = await freshStorage(kind);
      cleanups.push(storage.drop);
      const env = { ...storage.env, DEMO_PASSWORD: 'demo-pass-1' };
      const log = join(storage.env.DATA_DIR, 'xunfang.sqlite-wal');
      const logWritten = () => (statSync(log, { throwIfNoEntry: false })?.size ?? 0) > 0;
      await killDuringStart(env, kind === 'sqlite' ? logWritten : () => true, afterMs);

      const { child, url } = await spawnServer(env);
      cleanups.push(() => stopServer(child));
      expect((await new Client(url).login('J001', 'demo-pass-1')).status).toBe(200);
      // Two first starts of a real server (migrations, the demo seed and its password hashes): 5 s
      // on a quiet machine, over 30 s beside the browser tests and the type check on CI's 2 cores.
    },
    120_000,
  );
});
