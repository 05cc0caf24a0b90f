import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbKind } from '../src/server/db/index.js';
import { Client, createPostgresDatabase, spawnServer, stopServer } from '../tests/integration/harness.js';

export const BENCH_PASSWORD = 'bench-password';

/** The built server in its own process (as deployed, with its own core), on a fresh database. */
export async function benchServer(
  kind: DbKind,
): Promise<{ url: string; env: Record<string, string>; cpuMs(): number; mainThreadCpuMs(): number; peakRssMb(): number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'xf-bench-'));
  const pgDb = kind === 'postgres' ? await createPostgresDatabase() : null;
  const env = { DATA_DIR: dir, DATABASE_URL: pgDb?.url ?? '', DEMO_PASSWORD: BENCH_PASSWORD, LOG_LEVEL: 'error' };
  // BENCH_CPU_PROF=<dir> writes the server's CPU profiles there (open them in Chrome DevTools): where the time goes.
  const profileDir = process.env.BENCH_CPU_PROF;
  const { child, url } = await spawnServer(env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  return {
    url,
    env,
    cpuMs: () => processCpuMs(child.pid),
    mainThreadCpuMs: () => processCpuMs(child.pid, child.pid),
    peakRssMb: () => peakRssMb(child.pid),
    async close() {
      await stopServer(child);
      await pgDb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function signedIn(url: string, badge: string): Promise<Client> {
  const client = new Client(url);
  const response = await client.login(badge, BENCH_PASSWORD);
  if (response.status !== 200) throw new Error(`login ${badge}: ${response.status}`);
  return client;
}

export { median } from './cpu.js';

export async function officerIds(url: string): Promise<Record<string, string>> {
  const client = await signedIn(url, 'S001');
  const ids: Record<string, string> = {};
  let cursor = '0';
  for (;;) {
    const page = (await (await client.request('GET', `/api/sync/pull?cursor=${cursor}`)).json()) as {
      changes: Array<{ entity: string; id: string; data: { badge?: string } }>;
      cursor: string;
      more: boolean;
    };
    for (const c of page.changes) if (c.entity === 'squad-member' && c.data.badge) ids[c.data.badge] = c.id;
    cursor = page.cursor;
    if (!page.more) return ids;
  }
}

/**
 * CPU time (user + system) a process has used so far, from /proc: on a machine shared with other
 * work, CPU per record says more about the server's own cost than wall-clock rates do. With
 * `thread`, that thread's alone (the process id is its main thread: the event loop).
 */
function processCpuMs(pid: number | undefined, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat(5), counted from the state (field 3) here; in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The most resident memory the process has held so far (VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}
