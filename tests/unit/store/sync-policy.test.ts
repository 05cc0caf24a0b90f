import { describe, expect, it } from 'vitest';
import { SyncScheduler, type RunOutcome } from '../../../src/store/sync-policy.js';

/** Timers the test advances by hand. */
function manualTimers() {
  const pending: Array<{ at: number; fn: () => void; id: number }> = [];
  let now = 0;
  let nextId = 1;
  return {
    delays: [] as number[],
    setTimeout(fn: () => void, ms: number) {
      this.delays.push(ms);
      const id = nextId++;
      pending.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(id: unknown) {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    },
    random: () => 0.5,
    fireNext() {
      pending.sort((a, b) => a.at - b.at);
      const next = pending.shift();
      if (next) {
        now = next.at;
        next.fn();
      }
    },
    get count() {
      return pending.length;
    },
  };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('when the outbox is flushed', () => {
  it('backs off exponentially after failures, up to the maximum, and resets after a success', async () => {
    const timers = manualTimers();
    const outcomes: RunOutcome[] = ['retry', 'retry', 'retry', 'retry', 'done'];
    const scheduler = new SyncScheduler(
      async () => outcomes.shift() ?? 'done',
      () => undefined,
      { baseMs: 1000, maxMs: 5000, idleMs: 60_000 },
      timers,
    );
    scheduler.trigger();
    for (let i = 0; i < 4; i++) {
      await settle();
      timers.fireNext();
    }
    await settle();
    expect(timers.delays).toEqual([1000, 2000, 4000, 5000, 60_000]);
  });

  it('never runs twice at once, and runs again right after when triggered meanwhile', async () => {
    const timers = manualTimers();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const scheduler = new SyncScheduler(
      async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await new Promise<void>((r) => (release = r));
        running--;
        return 'done';
      },
      () => undefined,
      undefined,
      timers,
    );
    scheduler.trigger();
    scheduler.trigger();
    scheduler.trigger();
    release();
    await settle();
    await settle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('runs again at once when the network returns during a run that then fails, instead of waiting out the backoff', async () => {
    const timers = manualTimers();
    const outcomes: RunOutcome[] = ['retry', 'retry', 'retry', 'done'];
    let runs = 0;
    let release: () => void = () => undefined;
    const scheduler = new SyncScheduler(
      async () => {
        runs++;
        if (runs === 3) await new Promise<void>((r) => (release = r));
        return outcomes.shift() ?? 'done';
      },
      () => undefined,
      { baseMs: 1000, maxMs: 300_000, idleMs: 60_000 },
      timers,
    );
    scheduler.trigger();
    await settle();
    timers.fireNext();
    await settle();
    timers.fireNext(); // the third run starts offline and hangs
    await settle();
    scheduler.trigger(); // 'online' arrives meanwhile
    release(); // the hung run fails
    await settle();
    await settle();
    expect(runs).toBe(4);
    // Two backoffs before the network came back, then the idle timer after the run that went through.
    expect(timers.delays).toEqual([1000, 2000, 60_000]);
  });

  it('sends an unexpected error to the error handler and retries', async () => {
    const timers = manualTimers();
    const errors: unknown[] = [];
    const scheduler = new SyncScheduler(
      async () => {
        throw new Error('boom');
      },
      (e) => errors.push(e),
      { baseMs: 1000, maxMs: 5000, idleMs: 60_000 },
      timers,
    );
    scheduler.trigger();
    await settle();
    expect(errors).toHaveLength(1);
    expect(timers.delays).toEqual([1000]);
  });

  it('stops its timer when paused or stopped', async () => {
    const timers = manualTimers();
    const scheduler = new SyncScheduler(
      async () => 'done',
      () => undefined,
      undefined,
      timers,
    );
    scheduler.trigger();
    await settle();
    expect(timers.count).toBe(1);
    scheduler.pause();
    expect(timers.count).toBe(0);
    scheduler.stop();
    scheduler.trigger();
    await settle();
    expect(timers.count).toBe(0);
  });
});
