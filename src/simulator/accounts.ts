import { randomBytes } from 'node:crypto';
import type { AdminZonesResponse } from '../domain/protocol/admin.js';
import type { OneTimePassword, RosterImportOutcome, RosterResponse } from '../domain/protocol/accounts.js';
import { SimClient } from './http.js';
import type { SimOptions } from './options.js';

/** A simulated officer's first sign-in: the one-time password the roster import (or a reset) gave. */
export interface SimAccount {
  badge: string;
  oneTimePassword: string;
}

/** The simulated officers' badges: SIM0001… (no demo or real badge starts SIM). */
const simBadge = (i: number) => `SIM${String(i + 1).padStart(4, '0')}`;
/** Rows per roster import: each new account's one-time password is a slow hash on the server, so a big roster goes in parts, with progress. */
const ROSTER_CHUNK = 100;

/**
 * Creates the simulated officers through the admin's roster import, marked as simulated so no
 * real report counts them, spread over the unit's squads that have a patrol zone; an account
 * left by an earlier run gets a new one-time password through the admin's reset instead.
 */
export async function provisionAccounts(options: SimOptions, log: (line: string) => void): Promise<SimAccount[]> {
  const admin = new SimClient(options.url);
  await admin.json('POST', '/api/auth/login', { badge: options.adminBadge, password: options.adminPassword });
  const { squads, zones } = await admin.json<AdminZonesResponse>('GET', '/api/admin/zones');
  const patrolled = squads.filter((s) => zones.some((z) => z.squadId === s.id));
  if (patrolled.length === 0) throw new Error('no squad of the unit has a patrol zone: the simulated officers would have nowhere to walk');
  const existing = new Map((await admin.json<RosterResponse>('GET', '/api/admin/users')).people.map((p) => [p.badge, p]));

  const badges = Array.from({ length: options.officers }, (_, i) => simBadge(i));
  const accounts: SimAccount[] = [];
  for (let start = 0; start < badges.length; start += ROSTER_CHUNK) {
    const chunk = badges.slice(start, start + ROSTER_CHUNK);
    const rows = chunk.map((badge, k) => `${badge},模拟警员 ${badge.slice(3)},officer,${patrolled[(start + k) % patrolled.length]!.code},true`);
    const outcome = await admin.json<RosterImportOutcome>(
      'POST',
      '/api/admin/roster',
      ['badge,name,role,squad,simulated', ...rows].join('\n') + '\n',
      'text/csv',
    );
    for (const made of outcome.created) accounts.push({ badge: made.badge, oneTimePassword: made.oneTimePassword });
    for (const badge of outcome.updated) {
      const person = existing.get(badge);
      if (!person) throw new Error(`the roster import updated ${badge}, which the admin's user list did not show`);
      const reset = await admin.json<OneTimePassword>('POST', `/api/admin/users/${person.id}/password-reset`);
      accounts.push({ badge, oneTimePassword: reset.oneTimePassword });
    }
    log(`  ${Math.min(start + ROSTER_CHUNK, badges.length)}/${badges.length} accounts ready`);
  }
  const order = new Map(badges.map((b, i) => [b, i]));
  return accounts.sort((a, b) => order.get(a.badge)! - order.get(b.badge)!);
}

/** A password the unit's rules accept, never written anywhere: the run's officers sign in once. */
export function freshPassword(): string {
  return `sim-${randomBytes(12).toString('base64url')}`;
}
