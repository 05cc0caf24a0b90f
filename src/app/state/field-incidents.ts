import type { IncidentState, PhotoRef } from '../../domain/incidents.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { IncidentDetailResponse, IncidentStep } from '../../domain/protocol/incidents.js';
import type { IncidentEntry } from '../../store/schema.js';

// The officer's list of incidents (issue 15) worked out from what the device holds: its own
// records (INCIDENT) and the server's copies pull delivered (LOCAL, entity `incident`).

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
  /** The unit's areas its location lies in, as the server placed it (null until then). */
  town: IncidentDetailResponse['incident']['town'];
  community: IncidentDetailResponse['incident']['community'];
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
        town: server?.incident.town ?? null,
        community: server?.incident.community ?? null,
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
