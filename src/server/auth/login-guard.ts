import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.js';

// Sign-in throttling, kept in the database so it holds across server processes.
//
// A badge gets LOCKOUT_ATTEMPTS guesses; then it is locked for LOCKOUT_MS. The slot for a guess
// is taken (an atomic increment that refuses while locked) BEFORE the slow password check, so a
// burst of parallel guesses checks at most LOCKOUT_ATTEMPTS of them. Unknown badges are counted
// the same way under their own key, so whether a badge exists cannot be read from the answers.
//
// An address that keeps failing is slowed, then refused for the rest of its window, and refused
// guesses never reach a badge: one address cannot keep every badge of the unit locked.

/** Failed guesses in a row that lock a badge, and for how long. */
export const LOCKOUT_ATTEMPTS = 5;
const LOCKOUT_MS = 10 * 60_000;

/** An address's failures are counted over this window... */
const ADDRESS_WINDOW_MS = 15 * 60_000;
/** ...each answer after this many is delayed by ADDRESS_DELAY_MS... */
const ADDRESS_SLOW_AFTER = 15;
const ADDRESS_DELAY_MS = 1_000;
/** ...and from this many on the address is refused until its window ends. */
const ADDRESS_BLOCK_AFTER = 20;

/** A badge's failed guesses that never reached a lock are forgotten after this long... */
const BADGE_IDLE_MS = 24 * 3600_000;
/** ...by a sweep run at most this often per process, on a failed sign-in (the only thing that adds rows). */
const PRUNE_EVERY_MS = 60_000;

const badgeKey = (badge: string) => `badge:${badge}`;
const addressKey = (ip: string) => `address:${ip}`;

export type BadgeSlot = { kind: 'slot'; attempt: number } | { kind: 'locked'; lockedUntil: string };

/** The login guards over one database. */
export class LoginGuard {
  private prunedAt = Number.NEGATIVE_INFINITY;
  constructor(private readonly db: Kysely<Tables>) {}

  /** When the address may try again, if it is refused now. */
  async addressBlockedUntil(ip: string, now: Date): Promise<string | null> {
    const row = await this.db.selectFrom('login_guards').select('locked_until').where('key', '=', addressKey(ip)).executeTakeFirst();
    return row?.locked_until && row.locked_until > now.toISOString() ? row.locked_until : null;
  }

  /** Counts one failure of the address; returns how long to hold the answer back. */
  async addressFailed(ip: string, now: Date): Promise<number> {
    const at = now.toISOString();
    const windowStart = new Date(now.getTime() - ADDRESS_WINDOW_MS).toISOString();
    const row = await this.db
      .insertInto('login_guards')
      .values({ key: addressKey(ip), attempts: 1, window_started_at: at, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          // A window that has run out starts again at this failure.
          attempts: eb
            .case()
            .when('login_guards.window_started_at', '<', windowStart)
            .then(1)
            .else(eb('login_guards.attempts', '+', 1))
            .end(),
          window_started_at: eb.case().when('login_guards.window_started_at', '<', windowStart).then(at).else(eb.ref('login_guards.window_started_at')).end(),
        })),
      )
      .returning(['attempts', 'window_started_at'])
      .executeTakeFirstOrThrow();
    if (row.attempts >= ADDRESS_BLOCK_AFTER) {
      const until = new Date(Date.parse(row.window_started_at) + ADDRESS_WINDOW_MS).toISOString();
      await this.db.updateTable('login_guards').set({ locked_until: until }).where('key', '=', addressKey(ip)).execute();
    }
    if (now.getTime() - this.prunedAt >= PRUNE_EVERY_MS) await this.prune(now);
    return row.attempts > ADDRESS_SLOW_AFTER ? ADDRESS_DELAY_MS : 0;
  }

  /**
   * Deletes the rows that hold nothing back any more, so guesses at made-up badges and passing
   * addresses do not grow the table forever: an address whose window and refusal have run out
   * (the next failure would start afresh anyway), a badge whose lock has ended (its count is 0
   * then), and a badge with a few wrong guesses and none for a day.
   */
  private async prune(now: Date): Promise<void> {
    this.prunedAt = now.getTime();
    const at = now.toISOString();
    const addressWindowStart = new Date(now.getTime() - ADDRESS_WINDOW_MS).toISOString();
    const badgeIdleSince = new Date(now.getTime() - BADGE_IDLE_MS).toISOString();
    await this.db
      .deleteFrom('login_guards')
      .where((eb) =>
        eb.or([
          eb.and([
            eb('key', 'like', 'address:%'),
            eb('window_started_at', '<', addressWindowStart),
            eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]),
          ]),
          // attempts = 0: a guess that took a slot since the lock ended keeps its row.
          eb.and([eb('key', 'like', 'badge:%'), eb('locked_until', '<=', at), eb('attempts', '=', 0)]),
          eb.and([eb('key', 'like', 'badge:%'), eb('locked_until', 'is', null), eb('window_started_at', '<', badgeIdleSince)]),
        ]),
      )
      .execute();
  }

  /**
   * Takes one guess slot for the badge, atomically, or says it is locked. A slot beyond the
   * last one (a parallel burst) locks the badge at once.
   */
  async takeBadgeSlot(badge: string, now: Date): Promise<BadgeSlot> {
    const at = now.toISOString();
    const key = badgeKey(badge);
    const taken = await this.db
      .insertInto('login_guards')
      .values({ key, attempts: 1, window_started_at: at, locked_until: null })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet((eb) => ({ attempts: eb('login_guards.attempts', '+', 1) }))
          .where((eb) => eb.or([eb('login_guards.locked_until', 'is', null), eb('login_guards.locked_until', '<=', at)])),
      )
      .returning('attempts')
      .executeTakeFirst();
    if (taken && taken.attempts <= LOCKOUT_ATTEMPTS) return { kind: 'slot', attempt: taken.attempts };
    if (taken) return { kind: 'locked', lockedUntil: await this.lockBadge(badge, now) };
    const row = await this.db.selectFrom('login_guards').select('locked_until').where('key', '=', key).executeTakeFirst();
    return { kind: 'locked', lockedUntil: row?.locked_until ?? at };
  }

  /** A guess in `slot` was wrong: the last slot locks the badge. Returns the lock's end, if it locked. */
  async badgeFailed(badge: string, attempt: number, now: Date): Promise<string | null> {
    return attempt >= LOCKOUT_ATTEMPTS ? this.lockBadge(badge, now) : null;
  }

  /** The right password: the badge's count starts again (in `db`, the sign-in's transaction, when given). */
  async badgeSucceeded(badge: string, db: Kysely<Tables> = this.db): Promise<void> {
    await db.deleteFrom('login_guards').where('key', '=', badgeKey(badge)).execute();
  }

  private async lockBadge(badge: string, now: Date): Promise<string> {
    const until = new Date(now.getTime() + LOCKOUT_MS).toISOString();
    // Only a lock that is not already running is set, so parallel losers do not extend it.
    await this.db
      .updateTable('login_guards')
      .set({ locked_until: until, attempts: 0 })
      .where('key', '=', badgeKey(badge))
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]))
      .execute();
    const row = await this.db.selectFrom('login_guards').select('locked_until').where('key', '=', badgeKey(badge)).executeTakeFirst();
    return row?.locked_until ?? until;
  }
}

/** The median of the last `size` observations: how long a password check typically takes here. */
export class RunningMedian {
  private readonly samples: number[] = [];
  constructor(private readonly size: number) {}

  observe(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > this.size) this.samples.shift();
  }

  /** 100 ms until the first check has been timed (scrypt at N=2^15 takes 50–100 ms on the 2-core target). */
  get typicalMs(): number {
    if (this.samples.length === 0) return 100;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 100;
  }
}
