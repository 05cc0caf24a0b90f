import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './app.js';
import { FolderBlobStore } from './blobs/blob-store.js';
import { startWorkers } from './cluster.js';
import { openDatabase, type Database } from './db/index.js';
import { DEMO_ACCOUNTS, isEmpty, randomDemoPassword, seedDemo, seedDemoIndexIfMissing } from './demo/seed.js';
import { readConfig, type Config } from './config.js';
import { pruneSessions } from './auth/sessions.js';
import { configureCoverage } from './records/coverage.js';

// Entry point of `npm start`: open (and migrate) the database, seed the demo on first run,
// serve the built PWA and the API: from this process, or with WORKERS=N from N worker
// processes forked once the database is ready (cluster.ts).

/** The settings, or the start stops here with the one line that says what is wrong (no stack: it is not a bug). */
function settings(): Config {
  try {
    return readConfig(process.env);
  } catch (error) {
    console.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const config = settings();
// Before opening: a migration may ask for a rebuild, which derives coverage cells.
configureCoverage({ resolution: config.coverageResolution });
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the server on an open database, listens, and closes both on SIGTERM or SIGINT; returns the port. */
async function serve(database: Database): Promise<number> {
  const app = await buildServer({
    ctx: {
      database,
      now: () => new Date(),
      version,
      tls: !!config.tls,
      map: config.map,
      blobs: new FolderBlobStore(join(config.dataDir, 'blobs')),
      blobLimits: config.blobLimits,
      allowIdNumbers: config.allowIdNumbers,
    },
    staticDir: fileURLToPath(new URL('../../app/', import.meta.url)),
    https: config.tls,
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  });
  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    if (cluster.isPrimary) console.log(`${why}: closing`);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker whose primary is gone (killed outright) must not linger holding connections.
  if (cluster.isWorker) process.once('disconnect', () => void shutdown('primary gone'));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : config.port;
}

if (cluster.isWorker) {
  // The primary migrated and seeded before forking: opening finds nothing left to do.
  await serve(await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
} else {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let demoPassword: string | null = null;
  if (await isEmpty(database.db)) {
    demoPassword = config.demoPassword ?? randomDemoPassword();
    await seedDemo(database.db, demoPassword, new Date());
  }
  // The safety index's areas and a year of past incidents (marked demo), so its screen has something to show.
  await seedDemoIndexIfMissing(database.db, new Date());
  await pruneSessions(database.db, new Date());

  let port: number;
  if (config.workers === 1) port = await serve(database);
  else {
    await database.close();
    port = await startWorkers(config.workers);
  }
  const url = `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const processes = config.workers === 1 ? '' : `, ${config.workers} worker processes`;
  console.log(`巡防 Xunfang ${version} on ${database.kind === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}${processes}`);
  console.log(`  open ${url}/`);
  console.log(`  demo logins: ${DEMO_ACCOUNTS.map((a) => `${a.badge} (${a.role})`).join(', ')}`);
  if (demoPassword)
    console.log(`  demo password: ${demoPassword}${config.demoPassword ? ' (from DEMO_PASSWORD)' : ' (random; set DEMO_PASSWORD to choose one)'}`);
  else {
    // One write, so whoever waits for the "demo password" line gets the way back with it.
    const where = database.kind === 'sqlite' ? `delete ${config.dataDir}` : 'drop the PostgreSQL database';
    console.log(
      `  forgotten? stop the server, ${where} (this erases all data), and start again with DEMO_PASSWORD=… set\n` +
        '  demo password: the one printed when this database was first seeded',
    );
  }
}
