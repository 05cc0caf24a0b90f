// Runs the browser files beside the unit and integration files, as two vitest processes.
// Vitest puts a project without file parallelism (e2e: one Chromium at a time) in a group of its
// own that starts only after every other group has finished, so in one process the browser files,
// which mostly wait on Chromium, ran after the integration files instead of beside them (CI took
// 18 minutes of tests instead of about 10). The type check and lint run before (package.json):
// beside the tests they saved a minute and a half but loaded 2 cores so far that real servers
// and Chromium clicks ran past their timeouts. Each process keeps its own output; the run fails
// if either does.
import { spawn } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
// File filters, if any, apply to both vitest runs; a run none of them matches is not a failure.
const extra = process.argv.length > 2 ? [...process.argv.slice(2), '--passWithNoTests'] : [];
const runs = [
  { name: 'unit+integration', command: [process.execPath, vitest], args: ['run', '--project', 'unit', '--project', 'integration', ...extra] },
  { name: 'e2e', command: [process.execPath, vitest], args: ['run', '--project', 'e2e', ...extra] },
];

const results = await Promise.all(
  runs.map(
    ({ name, command, args }) =>
      new Promise((resolve) => {
        const child = spawn(command[0], [...command.slice(1), ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, FORCE_COLOR: '0' },
        });
        // Whole lines, each marked with its run, so the outputs interleave readably.
        const relay = (stream, out) => {
          let rest = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk) => {
            const lines = (rest + chunk).split('\n');
            rest = lines.pop() ?? '';
            for (const line of lines) out.write(`[${name}] ${line}\n`);
          });
          stream.on('end', () => rest && out.write(`[${name}] ${rest}\n`));
        };
        relay(child.stdout, process.stdout);
        relay(child.stderr, process.stderr);
        child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0) }));
      }),
  ),
);
for (const { name, code } of results) console.log(`${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
