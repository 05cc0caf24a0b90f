// Runs commands side by side with their output kept readable: every line is relayed whole and
// marked with its command's name. Used by the checks (checks.mjs) and the tests (run-tests.mjs).
import { spawn } from 'node:child_process';

/** Runs one command, relaying its output; resolves to its name and exit code (1 if killed). */
export function runMarked({ name, command, args = [], env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
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
    child.on('error', (error) => {
      process.stderr.write(`[${name}] could not start: ${error.message}\n`);
      resolve({ name, code: 1 });
    });
    child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0) }));
  });
}

/** Runs the tasks at most `lanes` at a time, in the order given (longest first keeps the lanes even). */
export async function runPooled(tasks, lanes) {
  const results = [];
  const queue = [...tasks];
  const lane = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) results.push(await runMarked(task));
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/** Prints each result and exits non-zero if any failed. */
export function report(results) {
  for (const { name, code } of results) console.log(`${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
}
