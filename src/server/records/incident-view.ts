import type { Kysely } from 'kysely';
import type { IncidentState } from '../../domain/incidents.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import {
  INCIDENT_PREVIEWS,
  type IncidentDetailResponse,
  type IncidentPhoto,
  type IncidentStep,
  type IncidentSummary,
} from '../../domain/protocol/incidents.js';
import type { BodyOf } from '../../domain/records.js';
import type { Tables } from '../db/schema.js';
import { readRows, type UnreadableSink } from './reader.js';

// Incidents as people see them (issue 15): the list's summaries with their first photos, and an
// incident's page with its timeline and photos. One reader for the leader's and supervisor's
// screens (routes/incidents.ts) and for what pull delivers to an officer (sync/pull.ts).

type Db = Kysely<Tables>;

/** The incidents table with who reported each; callers add scope and filters. */
export function incidentsFrom(db: Db) {
  return db
    .selectFrom('incidents as i')
    .innerJoin('users as u', 'u.id', 'i.officer_id')
    .leftJoin('areas as town', 'town.id', 'i.town_id')
    .leftJoin('areas as community', 'community.id', 'i.community_id')
    .select([
      'i.incident_id',
      'i.category',
      'i.occurred_at',
      'i.reported_at',
      'i.lat',
      'i.lon',
      'i.address',
      'i.status',
      'i.status_at',
      'i.handed_to',
      'i.injured',
      'i.dead',
      'i.demo',
      'i.reported_injured',
      'i.reported_dead',
      'i.report_record_id',
      'u.id as officer_id',
      'u.badge',
      'u.name',
      'town.name_zh as town_zh',
      'town.name_en as town_en',
      'community.name_zh as community_zh',
      'community.name_en as community_en',
    ]);
}

const areaName = (zh: string | null, en: string | null) => (zh !== null && en !== null ? { 'zh-CN': zh, en } : null);

export type IncidentRow = Awaited<ReturnType<ReturnType<typeof incidentsFrom>['execute']>>[number];

type Body = BodyOf<'incident.report'> | BodyOf<'incident.update'>;

/**
 * The records that name photos of these incidents, and their reports, read once through their
 * schemas: what the stored rows do not keep (descriptions, people, photo sizes and thumbnails).
 */
async function readBodies(db: Db, incidentIds: readonly string[], reportIds: readonly string[], onUnreadable: UnreadableSink) {
  const named = incidentIds.length
    ? await db
        .selectFrom('incident_photos as p')
        .innerJoin('records as r', 'r.id', 'p.record_id')
        .select(['p.incident_id', 'p.record_id', 'r.at'])
        .distinct()
        .where('p.incident_id', 'in', incidentIds)
        .execute()
    : [];
  const recordIds = [...new Set([...reportIds, ...named.map((n) => n.record_id)])];
  const rows = recordIds.length ? await db.selectFrom('records').select(['id', 'record']).where('id', 'in', recordIds).execute() : [];
  const bodies = new Map<string, Body>();
  for (const record of readRows(rows, onUnreadable))
    if (record.kind === 'incident.report' || record.kind === 'incident.update') bodies.set(record.id, record.body);
  // Photos in the order their records were made, each once (the first record that named it).
  const photos = new Map<string, IncidentPhoto[]>();
  const seen = new Set<string>();
  for (const n of named.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.record_id < b.record_id ? -1 : 1))) {
    const body = bodies.get(n.record_id);
    if (!body || body.incidentId !== n.incident_id) continue;
    for (const ref of body.photos ?? []) {
      const key = `${n.incident_id}/${ref.sha256}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = photos.get(n.incident_id) ?? [];
      list.push({ ...ref, recordId: n.record_id });
      photos.set(n.incident_id, list);
    }
  }
  return { bodies, photos };
}

function summary(row: IncidentRow, photos: readonly IncidentPhoto[]): IncidentSummary {
  return {
    incidentId: row.incident_id,
    category: row.category,
    occurredAt: row.occurred_at,
    reportedAt: row.reported_at,
    lat: row.lat,
    lon: row.lon,
    address: row.address,
    town: areaName(row.town_zh, row.town_en),
    community: areaName(row.community_zh, row.community_en),
    status: row.status as IncidentState,
    statusAt: row.status_at,
    handedTo: row.handed_to,
    injured: row.injured,
    dead: row.dead,
    reportedBy: { id: row.officer_id, badge: row.badge, name: row.name },
    photos: photos.length,
    previews: photos.slice(0, INCIDENT_PREVIEWS),
    demo: row.demo === 1,
  };
}

/** The list's view of these incidents, in their order, each with its photo count and first photos. */
export async function incidentSummaries(db: Db, rows: readonly IncidentRow[], onUnreadable: UnreadableSink): Promise<IncidentSummary[]> {
  const { photos } = await readBodies(
    db,
    rows.map((r) => r.incident_id),
    [],
    onUnreadable,
  );
  return rows.map((r) => summary(r, photos.get(r.incident_id) ?? []));
}

/** Each incident's page: the incident with its report's details, its timeline in device time, and its photos. */
export async function incidentDetails(db: Db, rows: readonly IncidentRow[], onUnreadable: UnreadableSink): Promise<IncidentDetailResponse[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.incident_id);
  const [updates, { bodies, photos }] = await Promise.all([
    db
      .selectFrom('incident_updates as up')
      .innerJoin('users as u', 'u.id', 'up.officer_id')
      .select([
        'up.incident_id',
        'up.record_id',
        'up.at',
        'up.state',
        'up.handed_to',
        'up.note',
        'up.injured',
        'up.dead',
        'u.id as officer_id',
        'u.badge',
        'u.name',
      ])
      .where('up.incident_id', 'in', ids)
      .execute(),
    readBodies(
      db,
      ids,
      rows.map((r) => r.report_record_id),
      onUnreadable,
    ),
  ]);
  const by = (r: { officer_id: string; badge: string; name: string }) => ({ id: r.officer_id, badge: r.badge, name: r.name });
  return rows.map((row) => {
    const body = bodies.get(row.report_record_id);
    const report = body && 'description' in body ? body : null;
    const reportStep: IncidentStep = {
      recordId: row.report_record_id,
      kind: 'report',
      at: row.reported_at,
      by: by(row),
      state: 'reported',
      handedTo: null,
      note: null,
      injured: row.reported_injured,
      dead: row.reported_dead,
    };
    const timeline: IncidentStep[] = [
      reportStep,
      ...updates
        .filter((u) => u.incident_id === row.incident_id)
        .map((u): IncidentStep => ({
          recordId: u.record_id,
          kind: 'update',
          at: u.at,
          by: by(u),
          state: u.state as IncidentState | null,
          handedTo: u.handed_to,
          note: u.note,
          injured: u.injured,
          dead: u.dead,
        })),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === b.kind ? (a.recordId < b.recordId ? -1 : 1) : a.kind === 'report' ? -1 : 1));
    const own = photos.get(row.incident_id) ?? [];
    return {
      incident: {
        ...summary(row, own),
        description: report?.description ?? null,
        locationSource: report?.location.source ?? null,
        people: report?.people.map((p) => ({ role: p.role, name: p.name ?? null, phone: p.phone ?? null, note: p.note ?? null })) ?? [],
      },
      timeline,
      photos: own,
    };
  });
}

/** How far back an officer's device hears of incidents: those that changed in the last 30 days, and every one still open. */
export const FIELD_INCIDENTS_BACK_MS = 30 * 24 * 3600_000;
/** Most incidents one officer's device holds from pull: the newest changed first. */
const FIELD_INCIDENTS_LIMIT = 200;
const CLOSED: readonly IncidentState[] = ['resolved', 'handed-over'];

/**
 * The incidents an officer's device hears of (issue 15): those they reported, those they updated,
 * and those reported in answer to a task they were given (the report names the task); of these,
 * the ones still open or changed since `since`. Others' incidents of the squad stay the leader's.
 */
export async function fieldIncidentRows(db: Db, officer: SessionUser, since: string, onUnreadable: UnreadableSink): Promise<IncidentRow[]> {
  const recent = (q: ReturnType<typeof incidentsFrom>) =>
    // The demo's seeded past incidents (reports only, so all "open") are history, not field work.
    q
      .where('i.unit_id', '=', officer.unitId)
      .where('i.demo', '=', 0)
      .where((eb) => eb.or([eb('i.status_at', '>=', since), eb('i.status', 'not in', CLOSED)]));
  const direct = await recent(incidentsFrom(db))
    .where((eb) =>
      eb.or([
        eb('i.officer_id', '=', officer.id),
        eb('i.incident_id', 'in', eb.selectFrom('incident_updates').select('incident_id').where('officer_id', '=', officer.id)),
      ]),
    )
    .orderBy('i.status_at', 'desc')
    .limit(FIELD_INCIDENTS_LIMIT)
    .execute();
  // Sent by a task: the task's id is only in the report's body, so the squad's other recent
  // reports are read (a squad's month is tens of reports) when the officer was given any task.
  const given = officer.squadId
    ? await db
        .selectFrom('task_watchers as w')
        .innerJoin('tasks as t', 't.id', 'w.task_id')
        .select('t.id')
        .where('w.officer_id', '=', officer.id)
        .where('t.created_at', '>=', since)
        .execute()
    : [];
  if (given.length === 0) return direct;
  const taskIds = new Set(given.map((t) => t.id));
  const known = new Set(direct.map((r) => r.incident_id));
  const squad = await recent(incidentsFrom(db))
    .where('i.squad_id', '=', officer.squadId ?? '')
    .where('i.officer_id', '!=', officer.id)
    .where('i.reported_at', '>=', since)
    .execute();
  const candidates = squad.filter((r) => !known.has(r.incident_id));
  if (candidates.length === 0) return direct;
  const reports = await db
    .selectFrom('records')
    .select(['id', 'record'])
    .where(
      'id',
      'in',
      candidates.map((r) => r.report_record_id),
    )
    .execute();
  const answering = new Set(
    readRows(reports, onUnreadable).flatMap((r) => (r.kind === 'incident.report' && r.body.taskId && taskIds.has(r.body.taskId) ? [r.body.incidentId] : [])),
  );
  return [...direct, ...candidates.filter((r) => answering.has(r.incident_id))].slice(0, FIELD_INCIDENTS_LIMIT);
}
