import { readCoverageResolution, readDatabaseConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { configureCoverage } from './records/coverage.js';
import { rebuildDerived } from './records/derived.js';

// `npm run rebuild-derived`: derives positions, shifts and coverage cells again from the records of the
// configured database (DATA_DIR or DATABASE_URL, as for `npm start`). Safe while the server runs.

const config = readDatabaseConfig(process.env);
configureCoverage({ resolution: readCoverageResolution(process.env) });
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  const started = performance.now();
  const report = await rebuildDerived(database.db, {
    now: new Date(),
    onUnreadable: (p) => console.warn(`record ${p.id} is unreadable (${p.reason}); not derived`),
    onProgress: (n) => process.stdout.write(`\r${n} records read`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\rrebuilt from ${report.records} records in ${seconds} s: ${report.positions} positions, ${report.shifts} shifts` +
      (report.unreadable ? `; ${report.unreadable} unreadable records left out` : ''),
  );
} finally {
  await database.close();
}
