import { SimClient } from './http.js';
import type { SimOptions } from './options.js';

/** A simulated officer's sign-in. */
export interface SimAccount {
  badge: string;
  password: string;
}

/** The simulated officers' badges: SIM0001… (no demo or real badge starts SIM). */
const simBadge = (i: number) => `SIM${String(i + 1).padStart(4, '0')}`;

/**
 * Creates (or renews) the simulated officers through the admin's roster import, marked as
 * simulated so no real report counts them, spread over the unit's squads.
 */
export async function provisionAccounts(options: SimOptions, log: (line: string) => void): Promise<SimAccount[]> {
  void log;
  const admin = new SimClient(options.url);
  await admin.json('POST', '/api/auth/login', { badge: options.adminBadge, password: options.adminPassword });
  throw new Error('the roster import is not wired yet');
}
