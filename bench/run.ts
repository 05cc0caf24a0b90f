// `npm run bench` runs every benchmark; `npm run bench -- NAME` one. Each prints its figures and
// ends with `bench NAME: FIGURE UNIT, RATIO× vs BASELINE`, the baseline measured in the same run.
// `--workers N` (ingest) sets BENCH_WORKERS: the server also runs as N processes, beside one.
import { existsSync } from 'node:fs';

const BENCHES: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  'sync-flush': () => import('./sync-flush.js'),
  ingest: () => import('./ingest.js'),
  'track-filter': () => import('./track-filter.js'),
  'main-thread': () => import('./main-thread.js'),
  geofence: () => import('./geofence.js'),
  lockdown: () => import('./lockdown.js'),
  'first-visit': () => import('./first-visit.js'),
  coverage: () => import('./coverage.js'),
  audit: () => import('./audit.js'),
  index: () => import('./index.js'),
  simulate: () => import('./simulate.js'),
};

const wanted = process.argv.slice(2);
const workersAt = wanted.indexOf('--workers');
if (workersAt >= 0) {
  const [, workers] = wanted.splice(workersAt, 2);
  if (!/^\d+$/.test(workers ?? '') || Number(workers) < 2) {
    console.error('--workers takes a whole number of server processes, 2 or more');
    process.exit(2);
  }
  process.env.BENCH_WORKERS = workers;
}
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; have: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
if (!existsSync('dist/node/server/main.js')) {
  console.error('benchmarks run the built server: `npm run build` first');
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n== ${name}`);
  await (await BENCHES[name]!()).run();
}
process.exit(0);
