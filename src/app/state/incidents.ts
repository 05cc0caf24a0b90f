import { signal } from '@preact/signals';
import type { IncidentState, PhotoRef } from '../../domain/incidents.js';
import type { IncidentDetailResponse, IncidentStep } from '../../domain/protocol/incidents.js';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { BodyOf } from '../../domain/records.js';
import { countPhotosWaiting, keepPhoto } from '../../store/photo-store.js';
import { INCIDENT, type IncidentEntry } from '../../store/schema.js';
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
  const all = await db.getAll(INCIDENT, IDBKeyRange.bound([officerId], [officerId, []]));
  myIncidents.value = all.sort((a, b) => (b.report?.occurredAt ?? b.reportedAt).localeCompare(a.report?.occurredAt ?? a.reportedAt));
  photosWaiting.value = await countPhotosWaiting(db, officerId);
}

/** A step of an officer's incident as their screen shows it: the server's, or one of theirs not yet there. */
interface FieldStep {
  step: IncidentStep;
  photos: readonly PhotoRef[];
  /** Made on this device and not yet in what the server last sent. */
  pending: boolean;
}

/** An incident on the officer's list: what the server last sent of it (others' updates too), with what this device added since. */
export interface FieldIncident {
  incidentId: string;
  category: string;
  occurredAt: string;
  lat: number | null;
  lon: number | null;
  address: string | null;
  description: string;
  injured: number;
  dead: number;
  state: IncidentState;
  handedTo: string | null;
  reportedBy: IncidentDetailResponse['incident']['reportedBy'];
  steps: FieldStep[];
  photoCount: number;
}

/**
 * Joins the officer's own incidents (INCIDENT, this device's report and updates, sent or not)
 * with the server's copies that pull delivered (everyone's updates, the photos others added).
 * Where the two overlap the server's word stands; steps it has not heard of yet are shown as
 * waiting, and count for the state in device time, as the server will count them.
 */
export function fieldIncidentList(user: SessionUser, own: readonly IncidentEntry[], pulled: readonly IncidentDetailResponse[]): FieldIncident[] {
  const me = { id: user.id, badge: user.badge, name: user.name };
  const byId = new Map(pulled.map((p) => [p.incident.incidentId, p]));
  const ownById = new Map(own.map((o) => [o.incidentId, o]));
  // An incident known only by this device's update of it (no report here, not pulled yet) has nothing to show but that.
  const ids = [...new Set([...own.filter((o) => o.report).map((o) => o.incidentId), ...byId.keys()])];
  return ids
    .map((id): FieldIncident => {
      const server = byId.get(id);
      const local = ownById.get(id);
      const known = new Set(server?.timeline.map((s) => s.recordId) ?? []);
      const steps: FieldStep[] = server
        ? server.timeline.map((step) => ({ step, photos: server.photos.filter((p) => p.recordId === step.recordId), pending: false }))
        : [];
      if (local?.report && !known.has(local.recordId))
        steps.push({
          step: {
            recordId: local.recordId,
            kind: 'report',
            at: local.reportedAt,
            by: me,
            state: 'reported',
            handedTo: null,
            note: null,
            injured: local.report.injured,
            dead: local.report.dead,
          },
          photos: local.report.photos,
          pending: true,
        });
      for (const s of local?.steps ?? [])
        if (!known.has(s.recordId))
          steps.push({
            step: {
              recordId: s.recordId,
              kind: 'update',
              at: s.at,
              by: me,
              state: s.state ?? null,
              handedTo: s.handedTo ?? null,
              note: s.note ?? null,
              injured: null,
              dead: null,
            },
            photos: s.photos ?? [],
            pending: true,
          });
      steps.sort((a, b) => (a.step.at < b.step.at ? -1 : a.step.at > b.step.at ? 1 : a.step.kind === 'report' ? -1 : b.step.kind === 'report' ? 1 : 0));
      const last = steps.findLast((s) => s.step.state !== null)?.step;
      const report = local?.report;
      return {
        incidentId: id,
        category: server?.incident.category ?? report?.category ?? 'other',
        occurredAt: server?.incident.occurredAt ?? report?.occurredAt ?? '',
        lat: server ? server.incident.lat : (report?.location.lat ?? null),
        lon: server ? server.incident.lon : (report?.location.lon ?? null),
        address: server ? server.incident.address : (report?.location.address ?? null),
        description: server?.incident.description ?? report?.description ?? '',
        injured: server?.incident.injured ?? report?.injured ?? 0,
        dead: server?.incident.dead ?? report?.dead ?? 0,
        state: last?.state ?? 'reported',
        handedTo: last?.state === 'handed-over' ? last.handedTo : null,
        reportedBy: server?.incident.reportedBy ?? me,
        steps,
        photoCount: new Set(steps.flatMap((s) => s.photos.map((p) => p.sha256))).size,
      };
    })
    .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
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
