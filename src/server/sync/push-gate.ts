// Load shedding for push: a 1000-record batch is tens of milliseconds of parsing, hashing and
// inserting, so fifty at once would hold health checks and sign-ins for seconds. The gate counts
// records, not batches: a few batches' worth are stored at a time, a few more wait their turn,
// and the rest are told to come back (503 with Retry-After), which the device's outbox treats
// like any 5xx: it keeps the records and retries with backoff. Counting batches, it turned away
// most of a thousand phones pushing six records each (the simulator: 62,686 of 67,364 pushes
// answered busy) while the server had the cores to spare for them.

/** At most `running` records being stored at once and `waiting` more in line, per server process. */
export class PushGate {
  private active = 0;
  private queued = 0;
  private readonly line: Array<{ weight: number; start: () => void }> = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  /**
   * Runs the task of `records` records in its turn, or returns `busy` at once when the line has
   * no room for them. A batch larger than `running` counts as `running` (it runs alone).
   */
  async run<T>(records: number, task: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    const weight = Math.min(Math.max(1, records), this.running);
    if (this.line.length > 0 || this.active + weight > this.running) {
      if (this.queued + weight > this.waiting) return { busy: true };
      this.queued += weight;
      await new Promise<void>((start) => this.line.push({ weight, start }));
    } else this.active += weight;
    try {
      return { busy: false, value: await task() };
    } finally {
      this.active -= weight;
      // Those in line start in order while they fit, so a newcomer cannot overtake them.
      for (let next = this.line[0]; next && this.active + next.weight <= this.running; next = this.line[0]) {
        this.line.shift();
        this.queued -= next.weight;
        this.active += next.weight;
        next.start();
      }
    }
  }
}
