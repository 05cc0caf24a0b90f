import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, scrypt } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildServer } from '../../src/server/app.js';
import { FolderBlobStore } from '../../src/server/blobs/blob-store.js';
import type { BlobLimits } from '../../src/server/blobs/uploads.js';
import type { MapConfig } from '../../src/server/config.js';
import { openDatabase, type Database, type DbKind } from '../../src/server/db/index.js';
import { DEMO_ACCOUNTS, seedDemo, seedDemoAreas } from '../../src/server/demo/seed.js';
import { setDeviceClock } from './device.js';

/** The demo password every integration test seeds with. */
export const PASSWORD = 'correct horse battery staple';

/** SQLite always; PostgreSQL too when CI (or you) set TEST_DATABASE_URL. */
export const DATABASES: DbKind[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A clock the test moves by hand, so 12-hour expiry is tested without waiting 12 hours. Fixed
 * by default (answers never depend on when the suite runs); `running` follows real time from
 * `ms`, for a server a browser talks to, since the browser stamps records with its own clock.
 */
export class TestClock {
  private readonly startedAt = Date.now();
  constructor(
    private ms = TEST_EPOCH_MS,
    private readonly running = false,
  ) {}
  now = (): Date => new Date(this.ms + (this.running ? Date.now() - this.startedAt : 0));
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestServer {
  url: string;
  kind: DbKind;
  database: Database;
  /** DATA_DIR and DATABASE_URL of its database, for commands run beside it. */
  env: StorageEnv;
  clock: TestClock;
  close(): Promise<void>;
}

/**
 * A new PostgreSQL database on the TEST_DATABASE_URL server, and how to drop it: empty, or a copy
 * of `template` (a database nobody is connected to).
 */
export async function createPostgresDatabase(template?: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `xf_it_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The environment that points the server (or a command such as rebuild-derived) at its database. */
interface StorageEnv {
  DATA_DIR: string;
  DATABASE_URL: string;
}

/** Where a fresh server keeps its data: a temp SQLite dir, or a fresh PostgreSQL database. */
export async function freshStorage(kind: DbKind): Promise<{ env: StorageEnv; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'xf-it-'));
  const removeDir = async () => rmSync(dir, { recursive: true, force: true });
  if (kind === 'sqlite') return { env: { DATA_DIR: dir, DATABASE_URL: '' }, drop: removeDir };
  const pgDb = await createPostgresDatabase();
  return { env: { DATA_DIR: dir, DATABASE_URL: pgDb.url }, drop: async () => (await pgDb.drop(), await removeDir()) };
}

/**
 * Where the integration project's global setup (global-setup.ts) left a migrated database seeded
 * as `seedTestDemo` seeds one: a SQLite file, and a PostgreSQL database when TEST_DATABASE_URL is
 * set. Outside that project (the browser tests, the benchmarks) there is none.
 */
export const SEEDED_TEMPLATE_ENV = { sqlite: 'XF_TEST_SQLITE_TEMPLATE', postgres: 'XF_TEST_POSTGRES_TEMPLATE' } as const;

/** The time every fixed-clock test server starts at, and its demo was seeded at. */
const TEST_EPOCH_MS = Date.parse('2026-11-29T08:00:00.000Z');

/** Seeds the demo every test server starts with: its accounts (password PASSWORD) and its areas. */
export async function seedTestDemo(database: Database, now: Date): Promise<void> {
  await seedDemo(database.db, PASSWORD, now);
  await seedDemoAreas(database.db, now);
}

/**
 * Storage holding a copy of the seeded template, if there is one: a file copy for SQLite, `create
 * database … template` for PostgreSQL. Migrating and seeding each test server's database took
 * 1–10 s on PostgreSQL on a busy machine; the copy takes a fraction of that. The copy is the
 * database's own: what a test writes touches neither the template nor another test's copy.
 */
async function seededStorage(kind: DbKind): Promise<{ env: StorageEnv; drop(): Promise<void> } | null> {
  const template = process.env[SEEDED_TEMPLATE_ENV[kind]];
  if (!template) return null;
  const dir = mkdtempSync(join(tmpdir(), 'xf-it-'));
  const removeDir = async () => rmSync(dir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    copyFileSync(template, join(dir, SQLITE_FILE));
    return { env: { DATA_DIR: dir, DATABASE_URL: '' }, drop: removeDir };
  }
  const pgDb = await createPostgresDatabase(template);
  return { env: { DATA_DIR: dir, DATABASE_URL: pgDb.url }, drop: async () => (await pgDb.drop(), await removeDir()) };
}

/**
 * A password hash in the server's own format (`scrypt$N$r$p$salt$key`, which verifyPassword
 * reads its cost from) at N=2^10 instead of production's 2^15: a sign-in then checks it in about
 * a millisecond instead of 50-300 ms, and the suites sign in hundreds of times. Only test code
 * writes such a hash, straight into a test database; the server hashes every password it is
 * given at production cost (auth.test.ts checks the stored form), so nothing here can weaken a
 * real one. The sign-in tests keep production hashes (`productionPasswordHashes`).
 */
export function fastPasswordHash(password: string): Promise<string> {
  const N = 2 ** 10;
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, 32, { N, r: 8, p: 1 }, (error, key) =>
      error ? reject(error) : resolve(['scrypt', N, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')),
    ),
  );
}

/** Gives the demo accounts fast hashes of PASSWORD, each its own salt as the seed gives them. */
async function useFastDemoHashes(database: Database): Promise<void> {
  for (const { badge } of DEMO_ACCOUNTS) {
    await database.db
      .updateTable('users')
      .set({ password_hash: await fastPasswordHash(PASSWORD) })
      .where('badge', '=', badge)
      .execute();
  }
}

/** The SQLite file's name in DATA_DIR (src/server/db/index.ts). */
export const SQLITE_FILE = 'xunfang.sqlite';

/** An empty, migrated database of the given kind, where it lives, and how to throw it away. */
export async function freshDatabase(kind: DbKind): Promise<{ database: Database; env: StorageEnv; drop(): Promise<void> }> {
  const storage = await freshStorage(kind);
  const database = await openDatabase({ url: storage.env.DATABASE_URL, dataDir: storage.env.DATA_DIR });
  return { database, env: storage.env, drop: storage.drop };
}

/**
 * Starts the real server on a free port over a fresh, demo-seeded database. A server for the
 * browser (`staticDir`) runs on real time: the browser's records carry its real clock, and a
 * fixed server day would call them future ones on any other day.
 */
export async function startServer(
  kind: DbKind,
  options: {
    staticDir?: string;
    https?: { cert: Buffer; key: Buffer };
    map?: MapConfig;
    liveHeartbeatMs?: number;
    liveSafetyPollMs?: number;
    allowIdNumbers?: boolean;
    blobLimits?: BlobLimits;
    onRoute?: (route: { method: string | string[]; url: string }) => void;
    /** Keep the demo accounts' production-cost hashes, for tests of sign-in itself (see fastPasswordHash). */
    productionPasswordHashes?: boolean;
  } = {},
): Promise<TestServer> {
  // The template was seeded at TEST_EPOCH_MS, so only a fixed-clock server can start from it.
  const copy = options.staticDir ? null : await seededStorage(kind);
  const storage = copy ?? (await freshStorage(kind));
  const { env, drop } = storage;
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const clock = options.staticDir ? new TestClock(Date.now(), true) : new TestClock();
  const startedAt = Date.now();
  setDeviceClock(() => new Date(clock.now().getTime() + (options.staticDir ? 0 : Date.now() - startedAt)));
  if (!copy) await seedTestDemo(database, clock.now());
  if (copy && !options.productionPasswordHashes) await useFastDemoHashes(database);
  const app = await buildServer({
    ctx: {
      database,
      now: clock.now,
      version: 'test',
      tls: !!options.https,
      blobs: new FolderBlobStore(join(env.DATA_DIR, 'blobs')),
      allowIdNumbers: options.allowIdNumbers ?? false,
      ...(options.blobLimits ? { blobLimits: options.blobLimits } : {}),
      ...(options.map ? { map: options.map } : {}),
    },
    staticDir: options.staticDir,
    https: options.https,
    liveHeartbeatMs: options.liveHeartbeatMs,
    liveSafetyPollMs: options.liveSafetyPollMs,
    onRoute: options.onRoute,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return {
    url: `${options.https ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    kind,
    database,
    env,
    clock,
    async close() {
      await app.close();
      await database.close();
      await drop();
    },
  };
}

/**
 * A second server on the first one's PostgreSQL database, with its own connections (and its own
 * LISTEN), as another server process would be. Closing it leaves the database to the first.
 */
export async function startPeerServer(first: TestServer, options: { liveSafetyPollMs?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const database = await openDatabase({ url: first.env.DATABASE_URL, dataDir: first.env.DATA_DIR });
  const blobs = new FolderBlobStore(join(first.env.DATA_DIR, 'blobs'));
  const app = await buildServer({ ctx: { database, now: first.clock.now, version: 'test', tls: false, blobs }, liveSafetyPollMs: options.liveSafetyPollMs });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: async () => (await app.close(), await database.close()) };
}

/** A minimal HTTP client that keeps the session cookie like a browser would. */
export class Client {
  cookie = '';
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const init: RequestInit = { method, headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}) } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.base + path, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair && !/=$/.test(pair) ? pair : '';
    }
    return response;
  }

  login(badge: string, password = PASSWORD): Promise<Response> {
    return this.request('POST', '/api/auth/login', { badge, password });
  }
}

const MAIN = 'dist/node/server/main.js';

/** Runs the built server in its own process, as `npm start` does, and waits for its banner. */
export async function spawnServer(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; banner: string; url: string }> {
  if (!existsSync(MAIN)) throw new Error('run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, [...nodeArgs, MAIN], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env } });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/demo password: .+\n/.test(output)) resolve(output);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const url = /open (https?:\/\/\S+?)\/?\n/.exec(banner)?.[1];
  if (!url) throw new Error(`no URL in banner:\n${banner}`);
  return { child, banner, url };
}

/** Stops a spawned server and waits for it to exit. */
export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
