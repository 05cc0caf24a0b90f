import { loadavg } from 'node:os';
import { newId } from '../src/domain/ids.js';
import type { PushResponse } from '../src/domain/protocol/sync.js';
import type { SignedRecord } from '../src/domain/records.js';
import { openDatabase, type DbKind } from '../src/server/db/index.js';
import { prepareDerived, writeDerived } from '../src/server/records/derived.js';
import { insertRecords, recordRow } from '../src/server/sync/ingest.js';
import { positionBody, TestDevice } from '../tests/integration/device.js';
import { Client, DATABASES } from '../tests/integration/harness.js';
import { BENCH_PASSWORD, benchServer, median, officerIds, postgresCpuMs, signedIn } from './support.js';

// Signed position records per second accepted by the server (its own process) over HTTP, six
// officers pushing batches of 1000 at once; beside the same rows inserted straight into the
// same database without any checks, to show what verification and HTTP cost. Meanwhile a probe
// times /api/health and a sign-in, as an officer would see them while the squad syncs.

const OFFICERS = ['J001', 'J002', 'J003', 'J004', 'J005', 'J006'];
/**
 * 120,000 records in all, some four seconds of pushing: long enough for a steady rate. At 5,000
 * each the push lasted about a second, and start-up (the JIT warming to the batch paths) took a
 * tenth off the rate a server that runs for days sees. BENCH_PER_OFFICER sets another count.
 */
const PER_OFFICER = Number(process.env.BENCH_PER_OFFICER ?? 20_000);
const BATCH = 1000;
/** Runs per database; BENCH_RUNS=1 for a quick look. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function signedBacklogs(ids: Record<string, string>): Promise<Map<string, { device: TestDevice; records: SignedRecord[] }>> {
  const backlogs = new Map<string, { device: TestDevice; records: SignedRecord[] }>();
  for (const badge of OFFICERS) {
    const device = await TestDevice.create(ids[badge]!);
    const shiftId = newId();
    const records: SignedRecord[] = [];
    for (let i = 0; i < PER_OFFICER; i++) records.push(await device.next('position', positionBody(shiftId, i)));
    backlogs.set(badge, { device, records });
  }
  return backlogs;
}

interface Latencies {
  health: number[];
  login: number[];
}

/** Adds the call's time to `list` if it succeeded. */
async function timed(list: number[], call: () => Promise<Response>): Promise<void> {
  const start = performance.now();
  const response = await call();
  await response.arrayBuffer();
  if (response.ok) list.push(performance.now() - start);
}

/** Times health (every 50 ms) and a sign-in (every 250 ms) until `until` settles. */
async function probe(url: string, until: Promise<unknown>): Promise<Latencies> {
  const out: Latencies = { health: [], login: [] };
  let done = false;
  void until.finally(() => (done = true));
  const loop = async (everyMs: number, step: () => Promise<void>) => {
    while (!done) {
      await step();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
  const client = new Client(url);
  await Promise.all([
    loop(50, () => timed(out.health, () => fetch(`${url}/api/health`))),
    loop(250, () => timed(out.login, () => client.login('S001', BENCH_PASSWORD))),
  ]);
  return out;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function verifiedRate(
  kind: DbKind,
  workers?: number,
): Promise<{
  rate: number;
  cpuUsPerRecord: number;
  loopUsPerRecord: number;
  checksUsPerRecord: number;
  pgUsPerRecord: number;
  generatorUsPerRecord: number;
  latencies: Latencies;
  loginAlone: number[];
}> {
  const server = await benchServer(kind, workers ? { workers } : {});
  try {
    const ids = await officerIds(server.url);
    const backlogs = await signedBacklogs(ids);
    const clients = new Map<string, Awaited<ReturnType<typeof signedIn>>>();
    for (const [badge, { device }] of backlogs) {
      const client = await signedIn(server.url, badge);
      await device.register(client);
      clients.set(badge, client);
    }
    // The sign-in's own time on this machine, the server idle: most of it is the scrypt hash.
    const loginAlone: number[] = [];
    const probeClient = new Client(server.url);
    for (let i = 0; i < 8; i++) await timed(loginAlone, () => probeClient.login('S001', BENCH_PASSWORD));
    // Serialised beforehand: the handhelds do that on their own CPUs, not on the server's cores.
    const bodies = new Map(
      [...backlogs].map(([badge, { records }]) => {
        const batches: string[] = [];
        for (let i = 0; i < records.length; i += BATCH) batches.push(JSON.stringify({ records: records.slice(i, i + BATCH) }));
        return [badge, batches] as const;
      }),
    );
    const start = performance.now();
    const generatorStart = process.cpuUsage();
    const cpuStart = server.cpuMs();
    const loopStart = server.mainThreadCpuMs();
    const checksStart = server.checkWorkersCpuMs();
    const pgStart = kind === 'postgres' ? postgresCpuMs() : 0;
    const pushing = Promise.all(
      [...bodies].map(async ([badge, batches]) => {
        for (const body of batches) {
          const response = await clients.get(badge)!.request('POST', '/api/sync/push', body);
          const { results } = (await response.json()) as PushResponse;
          if (results.some((r) => r.status !== 'accepted')) throw new Error(`not accepted: ${JSON.stringify(results.find((r) => r.status !== 'accepted'))}`);
        }
      }),
    );
    const latencies = await probe(server.url, pushing);
    await pushing;
    const records = OFFICERS.length * PER_OFFICER;
    // This process's share of the same cores: the pushing clients and the probe.
    const generator = process.cpuUsage(generatorStart);
    const generatorUsPerRecord = (generator.user + generator.system) / records;
    // The probe's sign-ins are in it too: about 4 scrypt hashes a second.
    const cpuUsPerRecord = ((server.cpuMs() - cpuStart) * 1000) / records;
    // The event loop's share: the one thread every batch's storing and every request passes through.
    const loopUsPerRecord = ((server.mainThreadCpuMs() - loopStart) * 1000) / records;
    // The check workers' share (parsing, hashing); the rest is libuv's pool (signatures, sign-ins' scrypt), the checkpointer and V8's helpers.
    const checksUsPerRecord = ((server.checkWorkersCpuMs() - checksStart) * 1000) / records;
    // The database's own share (every backend of the PostgreSQL server, whoever else uses it).
    const pgUsPerRecord = kind === 'postgres' ? ((postgresCpuMs() - pgStart) * 1000) / records : 0;
    return {
      rate: records / ((performance.now() - start) / 1000),
      cpuUsPerRecord,
      loopUsPerRecord,
      checksUsPerRecord,
      pgUsPerRecord,
      generatorUsPerRecord,
      latencies,
      loginAlone,
    };
  } finally {
    await server.close();
  }
}

/** The same rows (records and positions), same batches, same statements: insert only, no HTTP, no checks. */
async function rawInsertRate(kind: DbKind): Promise<number> {
  const server = await benchServer(kind); // seeds users and squads; stays idle while we insert beside it
  const database = await openDatabase({ url: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR! });
  try {
    const users = await database.db.selectFrom('users').select(['id', 'badge']).execute();
    const backlogs = await signedBacklogs(Object.fromEntries(users.map((u) => [u.badge, u.id])));
    for (const [, { device }] of backlogs) {
      const registration = await device.registration();
      await database.db
        .insertInto('devices')
        .values({
          id: device.deviceId,
          officer_id: device.officerId,
          public_key_jwk: JSON.stringify(registration.publicKeyJwk),
          label: null,
          registered_at: new Date().toISOString(),
          head_seq: 0,
          head_hash: '',
        })
        .execute();
    }
    const start = performance.now();
    for (const [, { records }] of backlogs) {
      for (let i = 0; i < records.length; i += BATCH) {
        const batch = records.slice(i, i + BATCH);
        const receivedAt = new Date().toISOString();
        const rows = batch.map((r) => recordRow(r, JSON.stringify(r), receivedAt));
        await prepareDerived(database.db, batch, new Date());
        await database.db.transaction().execute(async (trx) => {
          await insertRecords(trx, rows);
          await writeDerived(trx, batch);
        });
      }
    }
    return (OFFICERS.length * PER_OFFICER) / ((performance.now() - start) / 1000);
  } finally {
    await database.close();
    await server.close();
  }
}

/**
 * `--workers N`: the same pushes to the server as one process and as N (WORKERS=N, PostgreSQL
 * only), alternating within each run so both see the same machine, and the ratio.
 */
async function workersRun(workers: number): Promise<void> {
  if (!DATABASES.includes('postgres')) throw new Error('--workers needs PostgreSQL: set TEST_DATABASE_URL');
  const rates: Record<'one' | 'many', number[]> = { one: [], many: [] };
  for (let r = 0; r < RUNS; r++) {
    // Alternate which goes first, so a neighbour's burst on the shared machine does not always hit the same one.
    const order = r % 2 ? (['many', 'one'] as const) : (['one', 'many'] as const);
    for (const which of order) {
      const n = which === 'one' ? undefined : workers;
      const { rate, cpuUsPerRecord, loopUsPerRecord, pgUsPerRecord, latencies } = await verifiedRate('postgres', n);
      rates[which].push(rate);
      const p99 = (values: number[]) => percentile(values, 99).toFixed(0);
      console.log(
        `postgres run ${r + 1}, ${n ?? 1} process${n ? 'es' : ''}: ${rate.toFixed(0)} records/s; CPU per record: server ${cpuUsPerRecord.toFixed(1)} µs ` +
          `(${loopUsPerRecord.toFixed(1)} on event loops), PostgreSQL ${pgUsPerRecord.toFixed(1)} µs; health p99 ${p99(latencies.health)} ms, sign-in p99 ${p99(latencies.login)} ms`,
      );
    }
  }
  const one = median(rates.one);
  const many = median(rates.many);
  console.log(
    `bench ingest (postgres, ${workers} processes): ${many.toFixed(0)} records/s, ${(many / one).toFixed(2)}× vs one process (${one.toFixed(0)} records/s)`,
  );
}

export async function run(): Promise<void> {
  const workers = Number(process.env.BENCH_WORKERS ?? 0);
  if (workers > 1) return workersRun(workers);
  // BENCH_DB=sqlite or BENCH_DB=postgres: one database only, for comparisons that need many runs.
  const only = process.env.BENCH_DB;
  for (const kind of DATABASES.filter((k) => !only || k === only)) {
    const verified: number[] = [];
    const raw: number[] = [];
    const cpu: number[] = [];
    const loop: number[] = [];
    const checks: number[] = [];
    const pg: number[] = [];
    const generator: number[] = [];
    const all: Latencies = { health: [], login: [] };
    const loginAlone: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { rate, cpuUsPerRecord, loopUsPerRecord, checksUsPerRecord, pgUsPerRecord, generatorUsPerRecord, latencies, ...run } = await verifiedRate(kind);
      generator.push(generatorUsPerRecord);
      loginAlone.push(...run.loginAlone);
      verified.push(rate);
      cpu.push(cpuUsPerRecord);
      loop.push(loopUsPerRecord);
      checks.push(checksUsPerRecord);
      pg.push(pgUsPerRecord);
      all.health.push(...latencies.health);
      all.login.push(...latencies.login);
      raw.push(await rawInsertRate(kind));
      const database = kind === 'postgres' ? `, PostgreSQL ${pg[r]!.toFixed(1)} µs/record` : '';
      console.log(
        `${kind} run ${r + 1}: ${verified[r]!.toFixed(0)} records/s verified over HTTP (server CPU ${cpu[r]!.toFixed(1)} µs/record, ${loop[r]!.toFixed(1)} of it on the event loop, ${checks[r]!.toFixed(1)} in the check workers${database}), ${raw[r]!.toFixed(0)} records/s raw insert; load average ${loadavg()[0]!.toFixed(2)}`,
      );
    }
    const ms = (values: number[]) => `p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms (${values.length} calls)`;
    console.log(
      `${kind} server CPU per accepted record: ${median(cpu).toFixed(1)} µs (2 cores at 30,000/s allow at most 66 µs), ${median(loop).toFixed(1)} µs on the event loop (at most 33 µs), ${median(checks).toFixed(1)} µs in the check workers` +
        (kind === 'postgres' ? `; PostgreSQL's own: ${median(pg).toFixed(1)} µs (the same 2 cores)` : '') +
        `; the load generator's (this process): ${median(generator).toFixed(1)} µs`,
    );
    console.log(`${kind} sign-in alone (the server idle; nearly all of it the scrypt hash): ${ms(loginAlone)}`);
    const slower = percentile(all.login, 50) / percentile(loginAlone, 50);
    console.log(`${kind} while ingesting: health ${ms(all.health)}; sign-in ${ms(all.login)}, p50 ${slower.toFixed(2)}× alone (target p99 ≤ 100 ms)`);
    const v = median(verified);
    const w = median(raw);
    console.log(
      `bench ingest (${kind}): ${v.toFixed(0)} records/s, ${(v / w).toFixed(2)}× vs raw inserts without verification (${w.toFixed(0)} records/s; target ≥ 30000)`,
    );
  }
}
