// The type check and lint, and with --build the build too, as many at a time as there are cores:
// one after another they left one of CI's 2 cores idle for most of their 100 s. Before the tests,
// never beside them (run-tests.mjs says why). `node scripts/checks.mjs typecheck|lint` runs one kind alone.
import { availableParallelism } from 'node:os';
import { delimiter } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { report, runPooled } from './processes.mjs';

/** Every TypeScript project, each with its own settings (DOM or Node, workers, tests), slowest first. */
const PROJECTS = ['tests', 'src/server', 'src/app', 'src/domain', 'src/simulator', 'src/store', 'src/sw', 'src/worker'];

// The project's own tools, as under `npm run`, also when this script is run with node directly.
const bin = fileURLToPath(new URL('../node_modules/.bin', import.meta.url));
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };

const typecheck = PROJECTS.map((p) => ({ name: `tsc ${p}`, command: 'tsc', args: ['-p', p, '--noEmit'], env }));
const lint = [
  { name: 'prettier', command: 'prettier', args: ['--check', '.', '--log-level', 'warn'], env },
  { name: 'eslint', command: 'eslint', args: ['.'], env },
  { name: 'knip', command: 'knip', args: [], env },
];
const build = { name: 'build', command: 'npm', args: ['run', '--silent', 'build'], env };

// The longest first keeps the lanes even; the build is the longest, so it does not end alone.
const checks = [...typecheck.slice(0, 3), ...lint, ...typecheck.slice(3)];
const runs = { typecheck, lint, '--build': [build, ...checks], all: checks };
const tasks = runs[process.argv[2] ?? 'all'];
if (!tasks || process.argv[2] === 'all') {
  console.error(`usage: node scripts/checks.mjs [typecheck | lint | --build]`);
  process.exit(2);
}
report(await runPooled(tasks, Math.max(2, availableParallelism())));
