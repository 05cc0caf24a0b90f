import { signal } from '@preact/signals';
import { blobsOfPhotos, type PhotoRef } from '../../domain/incidents.js';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { BodyOf } from '../../domain/records.js';
import { countPhotosWaiting, dropUnnamedPhotos, keepPhoto } from '../../store/photo-store.js';
import type { IncidentEntry } from '../../store/schema.js';
import { readIncidents } from '../../store/sealed-reads.js';
import { worker } from '../worker-bridge.js';
import { deviceDb } from './db.js';
import { record } from './records.js';
import { openShift } from './shift.js';

// The officer's incidents (issue 15): what they reported from this device, with the steps they
// added, kept beside the records (INCIDENT) so the list survives the outbox forgetting them; and
// what pull delivered of them (and of incidents they were sent to), others' updates included.
// Photos are made ready in the worker and kept on the device until the server has them.

/** This officer's reported incidents, newest first. */
export const myIncidents = signal<readonly IncidentEntry[]>([]);
/** Photos on this device still to go up: the form and list show them as waiting. */
export const photosWaiting = signal(0);

/** Reads the officer's incidents and the photos still waiting back from IndexedDB. */
export async function loadIncidents(officerId: string): Promise<void> {
  const db = await deviceDb;
  const all = await readIncidents(db, officerId);
  myIncidents.value = all.sort((a, b) => (b.report?.occurredAt ?? b.reportedAt).localeCompare(a.report?.occurredAt ?? a.reportedAt));
  photosWaiting.value = await countPhotosWaiting(db, officerId);
}

/**
 * Prepares camera files one by one in the worker (resized, re-encoded, EXIF gone) and keeps
 * each on the device; `onEach` hears how many are done, for the progress line.
 */
export async function preparePhotos(
  officerId: string,
  files: readonly File[],
  onEach: (done: number) => void,
): Promise<Array<{ ref: PhotoRef; preview: Blob }>> {
  const db = await deviceDb;
  const refs: Array<{ ref: PhotoRef; preview: Blob }> = [];
  for (const file of files) {
    const { blob, thumbBlob, ...ref } = await worker().preparePhoto(file);
    // The thumbnail first: a photo on the device always has its thumbnail beside it.
    await keepPhoto(db, {
      sha256: ref.thumb.sha256,
      size: ref.thumb.size,
      type: ref.type,
      width: ref.thumb.width,
      height: ref.thumb.height,
      officerId,
      blob: thumbBlob,
      thumbOf: ref.sha256,
    });
    await keepPhoto(db, { ...ref, officerId, blob });
    refs.push({ ref, preview: thumbBlob });
    onEach(refs.length);
  }
  photosWaiting.value = await countPhotosWaiting(db, officerId);
  return refs;
}

/** Forgets the photos a cancelled form had taken (those no record names), so they do not wait to go up forever. */
export async function discardPhotos(officerId: string, photos: readonly PhotoRef[]): Promise<void> {
  const db = await deviceDb;
  await dropUnnamedPhotos(db, officerId, blobsOfPhotos(photos));
  photosWaiting.value = await countPhotosWaiting(db, officerId);
}

/** What the form gathers; the incident's id, shift and the record are added here. */
export type IncidentDraft = Omit<BodyOf<'incident.report'>, 'incidentId' | 'shiftId'>;

/** Writes the signed report, and puts it on the officer's list in the same transaction. */
export async function reportIncident(user: SessionUser, draft: IncidentDraft): Promise<void> {
  const body: BodyOf<'incident.report'> = { ...draft, incidentId: newId(), shiftId: openShift.peek()?.shiftId ?? null };
  const now = new Date();
  await record(user.id, 'incident.report', body, {
    now,
    incident: { officerId: user.id, incidentId: body.incidentId, reportedAt: now.toISOString(), report: body, steps: [] },
  });
  await loadIncidents(user.id);
}

/** Writes a signed update: a new state, who took it over, a note appended, photos added. */
export async function updateIncident(user: SessionUser, incidentId: string, update: Omit<BodyOf<'incident.update'>, 'incidentId'>): Promise<void> {
  const now = new Date();
  await record(
    user.id,
    'incident.update',
    { incidentId, ...update },
    {
      now,
      incidentStep: {
        incidentId,
        step: {
          at: now.toISOString(),
          ...(update.state ? { state: update.state } : {}),
          ...(update.handedTo ? { handedTo: update.handedTo } : {}),
          ...(update.note ? { note: update.note } : {}),
          ...(update.photos?.length ? { photos: update.photos } : {}),
        },
      },
    },
  );
  await loadIncidents(user.id);
}
