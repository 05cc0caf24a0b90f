import { signal } from '@preact/signals';
import { countOutbox } from '../../store/outbox-store.js';
import { META } from '../../store/schema.js';
import { deviceDb } from './db.js';
import { latestWins } from './latest-wins.js';

export interface SyncStatus {
  waiting: number;
  rejected: number;
  lastSyncAt: string | null;
  syncing: boolean;
  /** Why the last run failed, as catalog text; null after a good run. */
  problem: string | null;
}

const NOTHING_YET: SyncStatus = { waiting: 0, rejected: 0, lastSyncAt: null, syncing: false, problem: null };

/** The sync indicator's data, for the signed-in user. */
export const syncStatus = signal<SyncStatus>(NOTHING_YET);

/** Whose outbox the indicator shows; reads for anyone else are dropped (see showSyncFor). */
let shownFor: string | null = null;

/**
 * Shows the counts of this officer's outbox from now on, starting from nothing, or of nobody.
 * Reads for the previous user still under way when the next one signed in (records.ts starts
 * one for every record) would otherwise have put their count on the new user's screen.
 */
export function showSyncFor(officerId: string | null): void {
  shownFor = officerId;
  syncStatus.value = NOTHING_YET;
}

/** Changes what the indicator shows of this officer's sync, if it still shows theirs. */
export function patchSyncStatus(officerId: string, patch: Partial<SyncStatus>): void {
  if (officerId === shownFor) syncStatus.value = { ...syncStatus.value, ...patch };
}

/** The browser's answer to navigator.storage.persist(): null until asked, or where unsupported. */
export const storagePersisted = signal<boolean | null>(null);

export function lastSyncKey(officerId: string): string {
  return `last-sync:${officerId}`;
}

const refreshShown = latestWins(
  async (officerId: string) => {
    const db = await deviceDb;
    const [counts, last] = await Promise.all([countOutbox(db, officerId), db.get(META, lastSyncKey(officerId))]);
    return { officerId, read: { ...counts, lastSyncAt: last?.value ?? null } };
  },
  ({ officerId, read }) => patchSyncStatus(officerId, read),
);

/**
 * Re-reads the counts from IndexedDB (the truth) into the indicator. Every record, outbox message
 * and sync run starts one, so they overlap; an older read finishing last once left "2 waiting"
 * over an emptied outbox. IndexedDB runs a later transaction after the writes before it, so the
 * read started last is the truest, and an older one never replaces it.
 */
export async function refreshSyncStatus(officerId: string): Promise<void> {
  if (officerId === shownFor) await refreshShown(officerId);
}

/** Tabs tell each other (and themselves) that the outbox changed. */
export const outboxChannel = new BroadcastChannel('xf-outbox');
