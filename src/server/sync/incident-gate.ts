import type { Kysely } from 'kysely';
import { isBuiltInCategory } from '../../domain/incidents.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { MISSING_BLOB, type PushResult } from '../../domain/protocol/sync.js';
import type { SignedRecord } from '../../domain/records.js';
import type { Tables } from '../db/schema.js';
import { knownCategoryCodes, unitIncidentSettings } from '../incidents/taxonomy.js';

// What ingest asks of incidents' records beyond their schema (issue 15): the category is one of
// the unit's, identity numbers only where the unit turned them on, the photos they name are
// already here, and an update comes from someone who may act on the incident.

/** The server's defaults ingest applies where a unit has not chosen. */
export interface IngestPolicy {
  /** People's identity numbers may be recorded (INCIDENT_ID_NUMBERS=1), for units whose admin has not said. */
  allowIdNumbers?: boolean;
}

type Verdict = Omit<PushResult, 'id'>;

/**
 * Verdicts, by record id, on the incidents' records of a batch that may not be stored now: a
 * rejection for a report in a category the sender's unit does not have (hidden ones it has: the
 * report may have been written offline before the hiding) or with identity numbers the unit does
 * not record, a `retry` for one naming a photo the server does not hold (the device uploads it and sends the
 * record again), a rejection for an update of an incident the sender may not act on. An update
 * of an incident whose report has not arrived is taken: that report may be on a phone still
 * offline, and the incident settles whichever comes first.
 */
export async function incidentGate(
  db: Kysely<Tables>,
  sender: SessionUser,
  records: readonly SignedRecord[],
  policy: IngestPolicy,
): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  const incidental = records.filter((r) => r.kind === 'incident.report' || r.kind === 'incident.update');
  if (incidental.length === 0) return verdicts;

  const named = [...new Set(incidental.flatMap((r) => (r.body.photos ?? []).map((p) => p.sha256)))];
  const held = new Set(named.length ? (await db.selectFrom('blobs').select('sha256').where('sha256', 'in', named).execute()).map((b) => b.sha256) : []);
  const updated = [...new Set(incidental.filter((r) => r.kind === 'incident.update').map((r) => r.body.incidentId))];
  const incidents = new Map(
    (updated.length
      ? await db.selectFrom('incidents').select(['incident_id', 'officer_id', 'squad_id', 'unit_id']).where('incident_id', 'in', updated).execute()
      : []
    ).map((i) => [i.incident_id, i]),
  );

  const ownCodes = [...new Set(incidental.flatMap((r) => (r.kind === 'incident.report' && !isBuiltInCategory(r.body.category) ? [r.body.category] : [])))];
  const known = ownCodes.length ? await knownCategoryCodes(db, sender.unitId, ownCodes) : new Set<string>();
  const withIdNumbers = incidental.some((r) => r.kind === 'incident.report' && r.body.people.some((p) => p.idNumber !== undefined));
  const idNumbers = withIdNumbers && (await unitIncidentSettings(db, sender.unitId, policy.allowIdNumbers ?? false)).idNumbers;

  for (const record of incidental) {
    if (record.kind === 'incident.report' && !isBuiltInCategory(record.body.category) && !known.has(record.body.category)) {
      verdicts.set(record.id, { status: 'rejected', reason: `unknown-category: ${record.body.category}` });
      continue;
    }
    if (record.kind === 'incident.report' && !idNumbers && record.body.people.some((p) => p.idNumber !== undefined)) {
      verdicts.set(record.id, { status: 'rejected', reason: 'id-numbers-off: this unit does not record identity numbers' });
      continue;
    }
    if (record.kind === 'incident.update') {
      const incident = incidents.get(record.body.incidentId);
      if (incident && !mayAct(sender, incident)) {
        verdicts.set(record.id, {
          status: 'rejected',
          reason: 'incident-out-of-scope: only its squad, its leaders and its unit’s supervisors update an incident',
        });
        continue;
      }
    }
    const missing = (record.body.photos ?? []).find((p) => !held.has(p.sha256));
    if (missing) verdicts.set(record.id, { status: 'retry', reason: `${MISSING_BLOB}${missing.sha256}` });
  }
  return verdicts;
}

/** Who may move an incident along: its reporter and their squad (officers and leader), the unit's supervisors and admins. */
function mayAct(sender: SessionUser, incident: { officer_id: string; squad_id: string | null; unit_id: string }): boolean {
  if (incident.unit_id !== sender.unitId) return false;
  if (sender.role === 'supervisor' || sender.role === 'admin') return true;
  return incident.officer_id === sender.id || (incident.squad_id !== null && incident.squad_id === sender.squadId);
}
