/** What one sync run ended with: nothing left to do, or a failure worth retrying later. */
export type RunOutcome = 'done' | 'retry';

export interface SchedulerOptions {
  /** First retry delay; doubles per consecutive failure up to `maxMs`, with ±20 % jitter. */
  baseMs: number;
  maxMs: number;
  /** Check-in interval while everything is fine and the page is visible. */
  idleMs: number;
}

const DEFAULT_SCHEDULE: SchedulerOptions = { baseMs: 2_000, maxMs: 5 * 60_000, idleMs: 60_000 };

interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  random(): number;
}

/**
 * When to sync: at once on a trigger (start, online, visible, new record), again after a failure
 * with exponential backoff, and on an idle timer. Never two runs at once; a trigger during a run
 * runs again right after it (new records may have arrived meanwhile).
 */
export class SyncScheduler {
  private running = false;
  private again = false;
  private failures = 0;
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<RunOutcome>,
    /** Where a run's unexpected error goes (it is then retried with backoff like any failure). */
    private readonly onError: (error: unknown) => void,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULE,
    private readonly timers: Timers = {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>),
      random: Math.random,
    },
  ) {}

  /** Asks for a run as soon as possible. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    void this.execute();
  }

  /** The delay before the next timed run, given the failures so far. */
  nextDelay(): number {
    if (this.failures === 0) return this.options.idleMs;
    const raw = Math.min(this.options.maxMs, this.options.baseMs * 2 ** (this.failures - 1));
    return Math.round(raw * (0.8 + 0.4 * this.timers.random()));
  }

  /**
   * A hint that there is new work (a record was written): runs at once when the last run went
   * well, but leaves a failing sync to its backoff timer instead of hammering a dead network.
   */
  nudge(): void {
    if (this.failures === 0) this.trigger();
  }

  /** Stops timers (page hidden, user signed out); `trigger` restarts. */
  pause(): void {
    this.clearTimer();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private async execute(): Promise<void> {
    this.running = true;
    let outcome: RunOutcome = 'retry';
    try {
      outcome = await this.run();
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      this.failures = outcome === 'done' ? 0 : this.failures + 1;
      // A trigger that came during the run (the network is back, the page is visible again) runs
      // at once even when this run failed: it was likely made before the change the trigger
      // reports. Dropping it left a reconnected device waiting out a backoff of minutes.
      if (this.again) {
        this.again = false;
        this.trigger();
      } else this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.clearTimer();
    this.timer = this.timers.setTimeout(() => this.trigger(), this.nextDelay());
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
