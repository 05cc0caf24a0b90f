/** What the simulation counts as it goes: the server's answers and how long they took. */
export class Tally {
  accepted = 0;
  duplicates = 0;
  rejected = 0;
  /** 503/429 answers: the server asked for the batch again later. */
  busy = 0;
  /** Pushes that failed outright (network, 5xx other than 503): sent again later. */
  failedRequests = 0;
  readonly latenciesMs: number[] = [];
  /** The first problems seen, word for word, so a run that goes wrong says why. */
  readonly problems: string[] = [];

  latency(ms: number): void {
    this.latenciesMs.push(ms);
  }

  problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }

  percentile(p: number): number {
    if (this.latenciesMs.length === 0) return Number.NaN;
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }
}
