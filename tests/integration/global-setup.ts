import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/server/db/index.js';
import { createPostgresDatabase, SEEDED_TEMPLATE_ENV, SQLITE_FILE, seedTestDemo, TestClock } from './harness.js';

/**
 * Migrates and seeds one database per engine before the integration files run; `startServer`
 * copies it for every fixed-clock server instead of migrating and seeding its own. The workers
 * find it through the environment, which vitest hands them after this setup has run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const seededAt = new TestClock().now();
  const teardowns: Array<() => Promise<void>> = [];

  const dir = mkdtempSync(join(tmpdir(), 'xf-it-template-'));
  teardowns.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sqlite = await openDatabase({ dataDir: dir });
  await seedTestDemo(sqlite, seededAt);
  await sqlite.close();
  // Closing the last connection checkpoints the log into the file and removes it: the file alone is the database.
  if (existsSync(join(dir, `${SQLITE_FILE}-wal`))) throw new Error('the SQLite template kept its log after closing');
  process.env[SEEDED_TEMPLATE_ENV.sqlite] = join(dir, SQLITE_FILE);

  if (process.env.TEST_DATABASE_URL) {
    const template = await createPostgresDatabase();
    teardowns.push(template.drop);
    const postgres = await openDatabase({ url: template.url, dataDir: dir });
    await seedTestDemo(postgres, seededAt);
    await postgres.close();
    // A copy needs a template nobody is connected to: refuse connections from now on.
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`alter database ${template.name} with allow_connections false`);
    await admin.end();
    process.env[SEEDED_TEMPLATE_ENV.postgres] = template.name;
  }

  return async () => {
    for (const teardown of teardowns.reverse()) await teardown();
  };
}
