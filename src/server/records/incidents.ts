import type { Kysely, Transaction } from 'kysely';
import type { RecordOf, SignedRecord } from '../../domain/records.js';
import { districtMonth, type AreaPlacer } from '../../domain/safety-index.js';
import type { IncidentTable, Tables } from '../db/schema.js';
import { areaPlacers } from '../safety-index/areas.js';
import { ofKind } from './reader.js';

// The incidents tables (issue 15), derived from incident.report and incident.update records in
// the storing transaction and rebuilt from them like the others. Either may arrive first (an
// update from a leader's device can overtake the report from an officer's offline phone): the
// timeline and photos are kept as they come, and an incident's current state is worked out again
// from its report and every stored update whenever either arrives, so any order ends the same.

/** The label of the device the demo seeds its past incidents from: its incidents are marked demo. */
export const DEMO_DEVICE_LABEL = 'demo-seed';

type Db = Transaction<Tables> | Kysely<Tables>;

/** Writes what these newly stored records add to the incidents tables. Call in the storing transaction. */
export async function writeIncidents(db: Transaction<Tables>, records: readonly SignedRecord[]): Promise<void> {
  const reports = ofKind(records, 'incident.report');
  const updates = ofKind(records, 'incident.update');
  if (reports.length === 0 && updates.length === 0) return;
  const touched = new Set<string>();
  // Who reported, and from which device, read once per batch: the demo seeds thousands at once.
  const officerIds = [...new Set(reports.map((r) => r.officerId))];
  const deviceIds = [...new Set(reports.map((r) => r.deviceId))];
  const officers = new Map(
    officerIds.length ? (await db.selectFrom('users').select(['id', 'unit_id', 'squad_id']).where('id', 'in', officerIds).execute()).map((o) => [o.id, o]) : [],
  );
  const labels = new Map(
    deviceIds.length ? (await db.selectFrom('devices').select(['id', 'label']).where('id', 'in', deviceIds).execute()).map((d) => [d.id, d.label]) : [],
  );
  // Where each report counts in the safety index is worked out now, against its unit's areas.
  const placers = await areaPlacers(db, [...new Set([...officers.values()].map((o) => o.unit_id))]);
  for (const report of reports) {
    const officer = officers.get(report.officerId);
    await storeReport(db, report, officer, labels.get(report.deviceId) ?? null, officer && placers.get(officer.unit_id));
    touched.add(report.body.incidentId);
  }
  if (updates.length)
    await db
      .insertInto('incident_updates')
      .values(
        updates.map((u) => ({
          record_id: u.id,
          incident_id: u.body.incidentId,
          officer_id: u.officerId,
          at: u.at,
          state: u.body.state ?? null,
          handed_to: u.body.handedTo ?? null,
          note: u.body.note ?? null,
          injured: u.body.injured ?? null,
          dead: u.body.dead ?? null,
        })),
      )
      .onConflict((oc) => oc.column('record_id').doNothing())
      .execute();
  const photos = [...reports, ...updates].flatMap((r) =>
    (r.body.photos ?? []).map((p) => ({ incident_id: r.body.incidentId, sha256: p.sha256, record_id: r.id })),
  );
  if (photos.length)
    await db
      .insertInto('incident_photos')
      .values(photos)
      .onConflict((oc) => oc.columns(['incident_id', 'sha256', 'record_id']).doNothing())
      .execute();
  for (const u of updates) touched.add(u.body.incidentId);
  // An incident without updates stands as its report says, which storeReport wrote: only those
  // with updates (stored before or in this batch) need working out again.
  const withUpdates = touched.size
    ? await db
        .selectFrom('incident_updates')
        .select('incident_id')
        .distinct()
        .where('incident_id', 'in', [...touched])
        .execute()
    : [];
  for (const { incident_id } of withUpdates) await settle(db, incident_id);
}

/**
 * Stores a report. Two reports of one incident (a device's bug; ids are the device's) keep the
 * one with the smaller record id, whichever arrived first, as a rebuild would.
 */
async function storeReport(
  db: Db,
  report: RecordOf<'incident.report'>,
  officer: { unit_id: string; squad_id: string | null } | undefined,
  deviceLabel: string | null,
  placer: AreaPlacer | undefined,
): Promise<void> {
  const { body } = report;
  if (!officer || !placer) return; // stored records are always of a known officer: ingest checked it
  const place = placer.place(body.location.lon, body.location.lat);
  const row: IncidentTable = {
    incident_id: body.incidentId,
    report_record_id: report.id,
    officer_id: report.officerId,
    unit_id: officer.unit_id,
    squad_id: officer.squad_id,
    category: body.category,
    occurred_at: body.occurredAt,
    reported_at: report.at,
    lat: body.location.lat,
    lon: body.location.lon,
    address: body.location.address ?? null,
    reported_injured: body.injured,
    reported_dead: body.dead,
    injured: body.injured,
    dead: body.dead,
    status: 'reported',
    status_at: report.at,
    handed_to: null,
    demo: deviceLabel === DEMO_DEVICE_LABEL ? 1 : 0,
    district_month: districtMonth(body.occurredAt),
    town_id: place.townId,
    community_id: place.communityId,
  };
  const { incident_id: _key, ...replacement } = row;
  await db
    .insertInto('incidents')
    .values(row)
    .onConflict((oc) => oc.column('incident_id').doUpdateSet(replacement).where('incidents.report_record_id', '>', report.id))
    .execute();
}

/** Works an incident's current state out again from its report and every stored update. */
async function settle(db: Db, incidentId: string): Promise<void> {
  const incident = await db
    .selectFrom('incidents')
    .select(['report_record_id', 'reported_at', 'reported_injured', 'reported_dead'])
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!incident) return; // its report has not arrived: settled when it does
  const updates = await db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incidentId).orderBy('at').orderBy('record_id').execute();
  // The latest by device time: a late-arriving older update never moves the incident back.
  const lastState = updates.findLast((u) => u.state !== null);
  const lastInjured = updates.findLast((u) => u.injured !== null);
  const lastDead = updates.findLast((u) => u.dead !== null);
  await db
    .updateTable('incidents')
    .set({
      status: lastState?.state ?? 'reported',
      status_at: lastState?.at ?? incident.reported_at,
      handed_to: lastState?.state === 'handed-over' ? lastState.handed_to : null,
      injured: lastInjured?.injured ?? incident.reported_injured,
      dead: lastDead?.dead ?? incident.reported_dead,
    })
    .where('incident_id', '=', incidentId)
    .execute();
}
