// `npm run simulate -- --url … --officers N --minutes M`: virtual officers patrolling through the
// server's real API (options.ts lists every option), then a check that the server holds what
// they sent. Exits 1 when anything sent is missing or refused.
import { parseOptions } from './options.js';
import { simulate } from './run.js';

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const report = await simulate(options, (line) => console.log(line));
const ms = (x: number) => `${Math.round(x)} ms`;
console.log(`
records sent        ${report.sent} (${Object.entries(report.byKind)
  .map(([kind, n]) => `${n} ${kind}`)
  .join(', ')})
accepted            ${report.accepted}
duplicates          ${report.duplicates}
rejected            ${report.rejected}
not settled         ${report.unsettled}
pushes              ${report.pushes} (p50 ${ms(report.p50Ms)}, p99 ${ms(report.p99Ms)}; ${report.busy} answered busy, ${report.failedRequests} failed and were sent again)
records/s           ${Math.round(report.recordsPerSecond)} over ${report.realSeconds.toFixed(1)} s
audit check         ${report.verified} officers' tracks read back: ${report.missing} records missing, ${report.brokenChains} chains broken`);
for (const problem of report.problems) console.log(`  ${problem}`);
const ok = report.missing === 0 && report.rejected === 0 && report.unsettled === 0 && report.brokenChains === 0;
console.log(ok ? 'OK: everything sent is on the server, once.' : 'NOT OK: see above.');
process.exit(ok ? 0 : 1);
