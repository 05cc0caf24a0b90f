import cluster, { type Worker } from 'node:cluster';

// WORKERS=N: N server processes answer on one port. The primary only supervises: it has already
// migrated and seeded the database before the first fork, serves nothing, starts a worker again
// when one dies, and on SIGTERM or SIGINT stops them all and waits for each to finish its
// requests. Everything the workers share lives in PostgreSQL (README "Several processes").

/** A worker that dies sooner than this after its start waits this long before the next one: no fork storm. */
const QUICK_DEATH_MS = 5_000;
/** How long the primary waits for a worker to finish its requests before killing it. */
const STOP_GRACE_MS = 10_000;

/**
 * Forks `count` workers of this same entry point and resolves with the port they listen on once
 * all of them do. A worker that exits before the first start is complete fails the start (a bad
 * setting or an unreachable database would otherwise fork forever).
 */
export function startWorkers(count: number): Promise<number> {
  let stopping = false;
  let started = false;
  const bornAt = new Map<Worker, number>();
  const fork = () => bornAt.set(cluster.fork(), Date.now());

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const killer = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
    void Promise.all(workers.map((worker) => (worker.isDead() ? undefined : new Promise((resolve) => worker.once('exit', resolve))))).then(() => {
      clearTimeout(killer);
      process.exit(0);
    });
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  return new Promise((resolve, reject) => {
    let listening = 0;
    cluster.on('listening', (_worker, address) => {
      if (started || ++listening < count) return;
      started = true;
      resolve(address.port);
    });
    cluster.on('exit', (worker, code, signal) => {
      const born = bornAt.get(worker) ?? 0;
      bornAt.delete(worker);
      if (stopping) return;
      const how = signal ? `killed by ${signal}` : `exited with ${code}`;
      if (!started) {
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        reject(new Error(`worker ${worker.process.pid} ${how} before the server was up`));
        return;
      }
      const wait = Date.now() - born < QUICK_DEATH_MS ? QUICK_DEATH_MS : 0;
      console.error(`worker ${worker.process.pid} ${how}; starting another${wait ? ` in ${wait / 1000} s` : ''}`);
      setTimeout(() => stopping || fork(), wait);
    });
    for (let i = 0; i < count; i++) fork();
  });
}
