import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbKind } from '../src/server/db/index.js';
import { Client, createPostgresDatabase, spawnServer, stopServer } from '../tests/integration/harness.js';

export const BENCH_PASSWORD = 'bench-password';

/**
 * The built server in its own process (as deployed, with its own core), on a fresh database; with
 * `workers`, as that many processes (WORKERS=N): its CPU then sums the primary and every worker,
 * and its event loop time every worker's.
 */
export async function benchServer(
  kind: DbKind,
  options: { workers?: number } = {},
): Promise<{
  url: string;
  env: Record<string, string>;
  cpuMs(): number;
  mainThreadCpuMs(): number;
  checkWorkersCpuMs(): number;
  peakRssMb(): number;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'xf-bench-'));
  const pgDb = kind === 'postgres' ? await createPostgresDatabase() : null;
  const env = { DATA_DIR: dir, DATABASE_URL: pgDb?.url ?? '', DEMO_PASSWORD: BENCH_PASSWORD, LOG_LEVEL: 'error', WORKERS: String(options.workers ?? 1) };
  // BENCH_CPU_PROF=<dir> writes the server's CPU profiles there (open them in Chrome DevTools): where the time goes.
  // Workers inherit the flags, so with WORKERS each process writes its own.
  const profileDir = process.env.BENCH_CPU_PROF;
  const { child, url } = await spawnServer(env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const servers = (): Array<number | undefined> => (options.workers ? childProcesses(child.pid) : [child.pid]);
  return {
    url,
    env,
    cpuMs: () => [child.pid, ...(options.workers ? servers() : [])].reduce<number>((sum, pid) => sum + processCpuMs(pid), 0),
    mainThreadCpuMs: () => servers().reduce<number>((sum, pid) => sum + processCpuMs(pid, pid), 0),
    // The push check workers are the threads that lowered their priority (check-worker.ts).
    checkWorkersCpuMs: () => servers().reduce<number>((sum, pid) => sum + niceThreadsCpuMs(pid), 0),
    // The first process's alone (with several workers, the primary's).
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

/** The processes `pid` started (a cluster's workers). */
function childProcesses(pid: number | undefined): number[] {
  return pidsOf(['--ppid', String(pid), '-o', 'pid=']).map(([p]) => p!);
}

/**
 * CPU time the PostgreSQL server has used so far: its postmaster's own and its children's, those
 * that ended (the kernel adds a reaped child's time to its parent's cutime and cstime) and those
 * running. Every backend counts, whoever else uses the server.
 */
export function postgresCpuMs(): number {
  const postgres = pidsOf(['-C', 'postgres', '-o', 'pid=,ppid=']).map(([pid, ppid]) => ({ pid: pid!, ppid: ppid! }));
  const postmaster = postgres.find((p) => !postgres.some((q) => q.pid === p.ppid));
  if (!postmaster) return NaN;
  let total = processCpuMs(postmaster.pid, undefined, true);
  for (const child of postgres.filter((p) => p.ppid === postmaster.pid)) {
    try {
      total += processCpuMs(child.pid);
    } catch {
      // ended meanwhile: its time is in the postmaster's from now on
    }
  }
  return total;
}

function pidsOf(args: string[]): number[][] {
  return execFileSync('ps', args, { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields[0]! > 0);
}

/**
 * CPU time (user + system) a process has used so far, from /proc: on a machine shared with other
 * work, CPU per record says more about the server's own cost than wall-clock rates do. With
 * `thread`, that thread's alone (the process id is its main thread: the event loop).
 */
function processCpuMs(pid: number | undefined, thread?: number | undefined, reapedChildren = false): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat(5), counted from the state (field 3) here; in clock
  // ticks of 10 ms; cutime and cstime (16, 17) are those of its children that ended.
  const own = Number(fields[11]) + Number(fields[12]);
  return (own + (reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0)) * 10;
}

/** CPU time of the process's threads that run at a lower priority than it (a positive nice value), those still running. */
function niceThreadsCpuMs(pid: number | undefined): number {
  let total = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // nice is field 19 of stat(5), 16 counted from the state.
      if (Number(fields[16]) > 0) total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** The most resident memory the process has held so far (VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}
