import { DATABASES } from '../tests/integration/harness.js';
import { parseOptions } from '../src/simulator/options.js';
import { simulate, type SimReport } from '../src/simulator/run.js';
import { BENCH_PASSWORD, benchServer } from './support.js';

// The load: 1,000 simulated officers, one fix per 5 s, run at 10× for 10 simulated
// minutes, 10 % of them offline for the first 30 simulated minutes and reconnecting at once
// (so the run lasts 30 simulated minutes: 3 real minutes), against the built server in its own
// process on PostgreSQL (SQLite without TEST_DATABASE_URL). The baseline, in the same run: the
// same simulation with 10 officers, whose push latency is the server's unloaded answer time.

const OFFICERS = Number(process.env.BENCH_SIM_OFFICERS ?? 1000);
const BASELINE_OFFICERS = 10;

async function once(officers: number, seed: number): Promise<SimReport & { serverCores: number; peakRssMb: number }> {
  const kind = DATABASES.includes('postgres') ? 'postgres' : 'sqlite';
  const server = await benchServer(kind);
  try {
    const options = parseOptions(
      ['--url', server.url, '--officers', String(officers), '--minutes', '10', '--speedup', '10', '--offline-share', '0.1', '--offline-minutes', '30'].concat([
        '--admin-password',
        BENCH_PASSWORD,
        '--seed',
        String(seed),
        '--verify-sample',
        '20',
      ]),
    );
    let cpuStart = 0;
    let patrolStart = 0;
    const report = await simulate(options, (line) => {
      // CPU is counted from the patrol on, not the accounts' creation (password hashes) before it.
      if (line.startsWith('patrolling')) {
        cpuStart = server.cpuMs();
        patrolStart = performance.now();
      }
      console.log(`  [${officers}] ${line}`);
    });
    const serverCores = (server.cpuMs() - cpuStart) / (performance.now() - patrolStart);
    return { ...report, serverCores, peakRssMb: server.peakRssMb() };
  } finally {
    await server.close();
  }
}

export async function run(): Promise<void> {
  const kind = DATABASES.includes('postgres') ? 'PostgreSQL' : 'SQLite';
  const baseline = await once(BASELINE_OFFICERS, 2);
  const loaded = await once(OFFICERS, 1);
  for (const [name, r] of [
    ['baseline', baseline],
    ['load', loaded],
  ] as const) {
    console.log(
      `${name} (${r.officers} officers, ${kind}): ${r.sent} records sent, ${r.accepted} accepted, ${r.duplicates} duplicates, ${r.rejected} rejected, ${r.missing} missing of ${r.verified} officers audited; ` +
        `push p50 ${Math.round(r.p50Ms)} ms, p99 ${Math.round(r.p99Ms)} ms over ${r.pushes} pushes (${r.busy} answered busy); ${Math.round(r.recordsPerSecond)} records/s; ` +
        `server ${r.serverCores.toFixed(2)} cores, peak RSS ${Math.round(r.peakRssMb)} MB`,
    );
    for (const problem of r.problems) console.log(`  ${problem}`);
  }
  const lost = loaded.missing + loaded.unsettled;
  console.log(
    `bench simulate (${kind}): push p99 ${Math.round(loaded.p99Ms)} ms with ${loaded.officers} officers, ${(loaded.p99Ms / baseline.p99Ms).toFixed(1)}× vs ${BASELINE_OFFICERS} officers (${Math.round(baseline.p99Ms)} ms); ${lost} records lost`,
  );
}
