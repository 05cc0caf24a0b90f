// Load shedding for push: a 1000-record batch is tens of milliseconds of parsing, hashing and
// inserting, so fifty at once would hold health checks and sign-ins for seconds. A few run at a
// time, a few more wait their turn, and the rest are told to come back (503 with Retry-After),
// which the device's outbox treats like any 5xx: it keeps the records and retries with backoff.

/** At most `running` tasks at once and `waiting` more in line, per server process. */
export class PushGate {
  private active = 0;
  private readonly line: Array<() => void> = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  /** Runs the task in its turn, or returns `busy` at once when the line is full. */
  async run<T>(task: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    if (this.active >= this.running) {
      if (this.line.length >= this.waiting) return { busy: true };
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else this.active++;
    try {
      return { busy: false, value: await task() };
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.line.shift();
      if (next) next();
      else this.active--;
    }
  }
}
