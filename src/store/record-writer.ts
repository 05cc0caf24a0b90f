import type { IDBPDatabase } from 'idb';
import * as v from 'valibot';
import { nextLink } from '../domain/chain.js';
import { newId } from '../domain/ids.js';
import { describeIssues } from '../domain/protocol/api.js';
import { sealRecord } from '../domain/record-crypto.js';
import { BODY_SCHEMAS, type BodyOf, type RecordKind, type RecordOf, type UnsignedRecord } from '../domain/records.js';
import { ensureDeviceIdentity } from './device-identity.js';
import type { WithLock } from './locks.js';
import { batchBytes, OUTBOX_CLEAR } from './outbox-store.js';
import { blobsOf } from './photo-store.js';
import { openEntry, seal, sealEntry } from './vault.js';
import {
  CHECKIN,
  DEVICE,
  INCIDENT,
  META,
  OUTBOX,
  TRACK,
  type CheckinEntry,
  type IncidentEntry,
  type IncidentStep,
  type MetaEntry,
  type OutboxEntry,
  type Priority,
  type TrackEntry,
  type XunfangDB,
} from './schema.js';

/** What INCIDENT keeps in clear: its key. */
export const INCIDENT_CLEAR = ['officerId', 'incidentId'] as const;

export interface AppendOptions {
  /** The record's id when the caller made it already (the patrol session cites a position's id as check-in evidence before it is written). */
  id?: string;
  now?: Date;
  priority?: Priority;
  /** Local state the record changes, written in the same transaction as the record. */
  meta?: MetaEntry[];
  /** Route points this record adds (their seq and record id are set to the record's). */
  track?: Array<Omit<TrackEntry, 'seq'>>;
  /** The check-in this record makes (its seq and record id are set to the record's). */
  checkin?: Omit<CheckinEntry, 'seq' | 'recordId'>;
  /** The incident this report opens on the device's list (its record id is set to the record's). */
  incident?: Omit<IncidentEntry, 'recordId'>;
  /** The step this update adds to an incident on the device's list (its record id is set to the record's). */
  incidentStep?: { incidentId: string; step: Omit<IncidentStep, 'recordId'> };
}

/**
 * Makes the next record of this officer's chain, signs it and stores it in the outbox, all or
 * nothing. Serialised per officer across tabs, because a chain has exactly one next seq.
 */
export async function appendRecord<K extends RecordKind>(
  db: IDBPDatabase<XunfangDB>,
  withLock: WithLock,
  officerId: string,
  kind: K,
  body: BodyOf<K>,
  options: AppendOptions = {},
): Promise<RecordOf<K>> {
  const checked = v.safeParse(BODY_SCHEMAS[kind], body);
  if (!checked.success) throw new Error(`invalid ${kind} body: ${describeIssues(checked.issues)}`);
  return withLock(`xf-append:${officerId}`, {}, async () => {
    const device = await ensureDeviceIdentity(db, officerId);
    const { seq, prev } = nextLink(device.head);
    const unsigned = {
      id: options.id ?? newId(),
      kind,
      deviceId: device.deviceId,
      officerId,
      seq,
      at: (options.now ?? new Date()).toISOString(),
      body,
      prev,
    } as UnsignedRecord;
    // Signing is not an IndexedDB request, so it happens before the transaction opens (an
    // IDB transaction auto-commits across a foreign await). The lock keeps the head still meanwhile.
    const record = (await sealRecord(unsigned, device.privateKey)) as RecordOf<K>;

    // Everything is sealed under the data key before the transaction opens, for the same reason.
    // An incident on the device's list is read and re-sealed with the new step, which the lock makes
    // safe (only appends write INCIDENT); an update of one someone else reported (one pull delivered,
    // or a leader's page) starts an entry without a report, so the step shows before the server has it.
    const { incidentStep } = options;
    const listed = incidentStep ? await db.get(INCIDENT, [officerId, incidentStep.incidentId]) : undefined;
    const entry: OutboxEntry = {
      id: record.id,
      officerId,
      priority: options.priority ?? 1,
      seq,
      state: 'pending',
      record,
      queuedAt: unsigned.at,
      attempts: 0,
      size: batchBytes(record),
      photos: [...blobsOf(record)],
    };
    const [sealedEntry, meta, track, checkin, incidents] = await Promise.all([
      sealEntry(entry, OUTBOX_CLEAR),
      Promise.all((options.meta ?? []).map(async (m) => ({ key: m.key, sealed: await seal(m.value ?? '') }))),
      Promise.all((options.track ?? []).map((point) => sealEntry<TrackEntry, 'shiftId' | 'seq'>({ ...point, seq, recordId: record.id }, ['shiftId', 'seq']))),
      options.checkin ? sealEntry<CheckinEntry, 'shiftId' | 'seq'>({ ...options.checkin, seq, recordId: record.id }, ['shiftId', 'seq']) : null,
      Promise.all([
        ...(options.incident ? [sealEntry<IncidentEntry, 'officerId' | 'incidentId'>({ ...options.incident, recordId: record.id }, INCIDENT_CLEAR)] : []),
        ...(incidentStep ? [sealEntry(await withStep(officerId, listed, incidentStep, record.id), INCIDENT_CLEAR)] : []),
      ]),
    ]);

    const tx = db.transaction([DEVICE, OUTBOX, META, TRACK, CHECKIN, INCIDENT], 'readwrite', { durability: 'strict' });
    const current = await tx.objectStore(DEVICE).get(officerId);
    if (!current || current.head.seq !== device.head.seq) {
      tx.abort();
      await tx.done.catch(() => undefined); // the abort we just asked for; the real error is below
      throw new Error('record chain moved while signing; the lock should prevent this');
    }
    await Promise.all([
      tx.objectStore(DEVICE).put({ ...current, head: { seq, hash: record.hash } }),
      tx.objectStore(OUTBOX).add(sealedEntry),
      ...meta.map((m) => tx.objectStore(META).put(m)),
      ...track.map((point) => tx.objectStore(TRACK).put(point)),
      ...(checkin ? [tx.objectStore(CHECKIN).put(checkin)] : []),
      ...incidents.map((incident) => tx.objectStore(INCIDENT).put(incident)),
    ]);
    await tx.done;
    return record;
  });
}

/** The device's entry of an incident with one more step: the listed one opened, or a new one without a report. */
async function withStep(
  officerId: string,
  listed: XunfangDB[typeof INCIDENT]['value'] | undefined,
  { incidentId, step }: { incidentId: string; step: Omit<IncidentStep, 'recordId'> },
  recordId: string,
): Promise<IncidentEntry> {
  const open = listed ? await openEntry<IncidentEntry>(listed) : { officerId, incidentId, recordId: '', reportedAt: step.at, report: null, steps: [] };
  return { ...open, steps: [...open.steps, { ...step, recordId }] };
}
