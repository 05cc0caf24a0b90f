// Runs the browser files beside the unit and integration files, as two vitest processes.
// Vitest puts a project without file parallelism (e2e: one Chromium at a time) in a group of its
// own that starts only after every other group has finished, so in one process the browser files,
// which mostly wait on Chromium, ran after the integration files instead of beside them (CI took
// 18 minutes of tests instead of about 10). The type check and lint run before (package.json):
// beside the tests they saved a minute and a half but loaded 2 cores so far that real servers
// and Chromium clicks ran past their timeouts. Each process keeps its own output; the run fails
// if either does.
import { URL, fileURLToPath } from 'node:url';
import { report, runMarked } from './processes.mjs';

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
// File filters, if any, apply to both vitest runs; a run none of them matches is not a failure.
const extra = process.argv.length > 2 ? [...process.argv.slice(2), '--passWithNoTests'] : [];
const env = { ...process.env, FORCE_COLOR: '0' };
const runs = [
  { name: 'unit+integration', args: ['run', '--project', 'unit', '--project', 'integration', ...extra] },
  { name: 'e2e', args: ['run', '--project', 'e2e', ...extra] },
];
report(await Promise.all(runs.map(({ name, args }) => runMarked({ name, command: process.execPath, args: [vitest, ...args], env }))));
