// The per-device seq/prev chain: each record names its predecessor's hash, so a deleted,
// reordered or altered record shows as a gap or a broken link.

/** The last record a device sealed (seq 0 and "" before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: '' };

/** The seq and prev of the next record after `head`. */
export function nextLink(head: ChainHead): { seq: number; prev: string } {
  return { seq: head.seq + 1, prev: head.hash };
}

export interface ChainLink {
  seq: number;
  prev: string;
  hash: string;
}

/** What a walk along one device's chain found wrong. */
export interface ChainReport {
  /** Runs of missing seqs, inclusive: records deleted, or not yet synced. */
  gaps: Array<{ from: number; to: number }>;
  /** Seqs whose prev does not equal the hash of the record before them. */
  brokenLinks: number[];
}

/**
 * Walks a device's records in seq order. `startAfter` is the record before the first one given
 * (when the window does not begin at seq 1), so a window of a longer chain can be checked alone.
 */
export function walkChain(links: readonly ChainLink[], startAfter: ChainHead | null = EMPTY_CHAIN): ChainReport {
  const sorted = [...links].sort((a, b) => a.seq - b.seq);
  const report: ChainReport = { gaps: [], brokenLinks: [] };
  let previous: ChainHead | null = startAfter;
  for (const link of sorted) {
    if (previous && link.seq > previous.seq + 1) report.gaps.push({ from: previous.seq + 1, to: link.seq - 1 });
    if (previous && link.seq === previous.seq + 1 && link.prev !== previous.hash) report.brokenLinks.push(link.seq);
    if (!previous && link.seq === 1 && link.prev !== '') report.brokenLinks.push(link.seq);
    previous = { seq: link.seq, hash: link.hash };
  }
  return report;
}

/**
 * Splits one device's records into unbroken runs: consecutive seqs, each `prev` the hash of the
 * record before it. The last record's signature covers every earlier hash of its run through
 * `prev`, so one verified signature authenticates the whole run (DESIGN.md's push rule).
 */
function unbrokenRuns<T extends ChainLink>(links: readonly T[]): T[][] {
  const sorted = [...links].sort((a, b) => a.seq - b.seq);
  const runs: T[][] = [];
  let run: T[] = [];
  for (const link of sorted) {
    const last = run.at(-1);
    if (last && (link.seq !== last.seq + 1 || link.prev !== last.hash)) {
      runs.push(run);
      run = [];
    }
    run.push(link);
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * The links DESIGN.md's push rule authenticates: every record of an unbroken run whose last
 * signature verifies, else each record of the run whose own signature does. One verify per run
 * in the common case; push and the route audit both judge a record by this one rule. Every
 * link's hash must already be known to match its content: the rule vouches for hashes only.
 */
export async function authenticatedLinks<T extends ChainLink>(links: readonly T[], signed: (link: T) => Promise<boolean>): Promise<Set<T>> {
  const authentic = new Set<T>();
  await Promise.all(
    unbrokenRuns(links).map(async (run) => {
      const tail = run[run.length - 1];
      if (!tail) return;
      if (await signed(tail)) return run.forEach((link) => authentic.add(link));
      // A forged tail never takes its honest predecessors down: each is then judged alone.
      const before = run.slice(0, -1);
      const alone = await Promise.all(before.map(signed));
      before.forEach((link, i) => alone[i] && authentic.add(link));
    }),
  );
  return authentic;
}
