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

/** The sync indicator's data, for the signed-in user. */
export const syncStatus = signal<SyncStatus>({ waiting: 0, rejected: 0, lastSyncAt: null, syncing: false, problem: null });
/** The browser's answer to navigator.storage.persist(): null until asked, or where unsupported. */
export const storagePersisted = signal<boolean | null>(null);

export function lastSyncKey(officerId: string): string {
  return `last-sync:${officerId}`;
}

/**
 * Re-reads the counts from IndexedDB (the truth) into the indicator. Every record, outbox message
 * and sync run starts one, so they overlap; an older read finishing last once left "2 waiting"
 * over an emptied outbox. IndexedDB runs a later transaction after the writes before it, so the
 * read started last is the truest, and an older one never replaces it.
 */
export const refreshSyncStatus = latestWins(
  async (officerId: string) => {
    const db = await deviceDb;
    const [counts, last] = await Promise.all([countOutbox(db, officerId), db.get(META, lastSyncKey(officerId))]);
    return { ...counts, lastSyncAt: last?.value ?? null };
  },
  (read) => (syncStatus.value = { ...syncStatus.value, ...read }),
);

/** Tabs tell each other (and themselves) that the outbox changed. */
export const outboxChannel = new BroadcastChannel('xf-outbox');
