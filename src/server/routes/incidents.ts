import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExpressionBuilder, Kysely } from 'kysely';
import * as v from 'valibot';
import { pointInPolygon } from '../../domain/geo.js';
import { UUID_RE } from '../../domain/ids.js';
import { INCIDENT_STATES, type IncidentState } from '../../domain/incidents.js';
import { InstantSchema } from '../../domain/instant.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import {
  INCIDENTS_DEFAULT_WINDOW_MS,
  INCIDENTS_MAX_LIMIT,
  INCIDENTS_MAX_WINDOW_MS,
  type IncidentDetailResponse,
  type IncidentPhoto,
  type IncidentsResponse,
  type IncidentStep,
  type IncidentSummary,
} from '../../domain/protocol/incidents.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { zoneInScope } from '../coverage/coverage.js';
import type { IncidentTable, Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { parseStored } from '../records/reader.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const IncidentsQuerySchema = v.strictObject({
  from: v.optional(InstantSchema),
  to: v.optional(InstantSchema),
  category: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]{0,31}$/, 'category must be a category code, e.g. burglary'))),
  status: v.optional(v.picklist(INCIDENT_STATES, `status must be one of ${INCIDENT_STATES.join(', ')}`)),
  zoneId: v.optional(v.pipe(v.string(), v.regex(UUID_RE, 'zoneId must be a zone id (a lower-case UUID)'))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, 'limit must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(INCIDENTS_MAX_LIMIT, `limit must be at most ${INCIDENTS_MAX_LIMIT}`),
    ),
    String(INCIDENTS_MAX_LIMIT),
  ),
});

/** The viewer's incidents, as scope.ts rules it: an officer their own, a leader their squad's, a supervisor or admin their unit's. */
function inScope(viewer: SessionUser) {
  return (eb: ExpressionBuilder<{ i: IncidentTable }, 'i'>) => {
    const unit = eb('i.unit_id', '=', viewer.unitId);
    switch (viewer.role) {
      case 'officer':
        return eb.and([unit, eb('i.officer_id', '=', viewer.id)]);
      case 'leader':
        return eb.and([unit, eb.or([eb('i.officer_id', '=', viewer.id), eb('i.squad_id', '=', viewer.squadId ?? '')])]);
      case 'supervisor':
      case 'admin':
        return unit;
    }
  };
}

function incidentsFrom(db: Kysely<Tables>) {
  return db
    .selectFrom('incidents as i')
    .innerJoin('users as u', 'u.id', 'i.officer_id')
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
    ]);
}

type IncidentRow = Awaited<ReturnType<ReturnType<typeof incidentsFrom>['execute']>>[number];

function summary(row: IncidentRow, photos: number): IncidentSummary {
  return {
    incidentId: row.incident_id,
    category: row.category,
    occurredAt: row.occurred_at,
    reportedAt: row.reported_at,
    lat: row.lat,
    lon: row.lon,
    address: row.address,
    status: row.status as IncidentState,
    statusAt: row.status_at,
    handedTo: row.handed_to,
    injured: row.injured,
    dead: row.dead,
    reportedBy: { id: row.officer_id, badge: row.badge, name: row.name },
    photos,
    demo: row.demo === 1,
  };
}

/**
 * `GET /api/incidents` (newest first, in a window of incident time, filtered by category, status
 * and zone) and `GET /api/incidents/:id` (the incident, its timeline and its photos), for the
 * incidents the viewer may see.
 */
export function incidentRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/incidents',
      {
        preHandler: requireUser(ctx),
        ...doc({ summary: "Incidents in the role's scope, newest first, filtered by window and state", query: IncidentsQuerySchema }),
      },
      async (request): Promise<IncidentsResponse> => {
        const viewer = sessionUser(request);
        const query = parseOr400(IncidentsQuerySchema, request.query);
        const to = query.to ?? ctx.now().toISOString();
        const from = query.from ?? new Date(Date.parse(to) - INCIDENTS_DEFAULT_WINDOW_MS).toISOString();
        if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
        if (Date.parse(to) - Date.parse(from) > INCIDENTS_MAX_WINDOW_MS) throw new HttpError(400, 'bad-request', 'the window may span at most 31 days');
        const zone = query.zoneId === undefined ? null : await zoneInScope(db, viewer, query.zoneId);
        // The zone's bounding box narrows the rows in SQL; the polygon decides (an address-only incident is in no zone).
        const ring = zone?.polygon.coordinates[0] ?? [];
        const lons = ring.map((p) => p[0] ?? 0);
        const lats = ring.map((p) => p[1] ?? 0);
        let rows = await incidentsFrom(db)
          .where(inScope(viewer))
          .$if(query.category !== undefined, (q) => q.where('i.category', '=', query.category ?? ''))
          .$if(query.status !== undefined, (q) => q.where('i.status', '=', query.status ?? ''))
          .$if(zone !== null, (q) =>
            q
              .where('i.lon', '>=', Math.min(...lons))
              .where('i.lon', '<=', Math.max(...lons))
              .where('i.lat', '>=', Math.min(...lats))
              .where('i.lat', '<=', Math.max(...lats)),
          )
          .where('i.occurred_at', '>=', from)
          .where('i.occurred_at', '<=', to)
          .orderBy('i.occurred_at', 'desc')
          .orderBy('i.incident_id')
          .$if(zone === null, (q) => q.limit(query.limit + 1))
          .execute();
        if (zone) rows = rows.filter((r) => r.lat !== null && r.lon !== null && pointInPolygon(r.lon, r.lat, zone.polygon.coordinates));
        const truncated = rows.length > query.limit;
        rows = rows.slice(0, query.limit);
        const counts = await photoCounts(rows.map((r) => r.incident_id));
        return { from, to, incidents: rows.map((r) => summary(r, counts.get(r.incident_id) ?? 0)), truncated };
      },
    );

    app.get(
      '/api/incidents/:id',
      { preHandler: requireUser(ctx), ...doc({ summary: 'One incident with its updates and photos' }) },
      async (request): Promise<IncidentDetailResponse> => {
        const viewer = sessionUser(request);
        const id = (request.params as { id?: string }).id ?? '';
        if (!UUID_RE.test(id)) throw new HttpError(400, 'bad-request', 'an incident is named by its id (a lower-case UUID)');
        const row = await incidentsFrom(db).where(inScope(viewer)).where('i.incident_id', '=', id).executeTakeFirst();
        // One answer for "no such incident" and "not yours": scope cannot be probed by id.
        if (!row) throw new HttpError(404, 'not-found', 'no such incident, or not one you may see');
        return detail(request, row);
      },
    );
  };

  async function photoCounts(incidentIds: readonly string[]): Promise<Map<string, number>> {
    if (incidentIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('incident_photos')
      .select(['incident_id', (eb) => eb.fn.count<number | string>('sha256').distinct().as('n')])
      .where('incident_id', 'in', incidentIds)
      .groupBy('incident_id')
      .execute();
    return new Map(rows.map((r) => [r.incident_id, Number(r.n)]));
  }

  async function detail(request: FastifyRequest, row: IncidentRow): Promise<IncidentDetailResponse> {
    const updates = await db
      .selectFrom('incident_updates as up')
      .innerJoin('users as u', 'u.id', 'up.officer_id')
      .select(['up.record_id', 'up.at', 'up.state', 'up.handed_to', 'up.note', 'up.injured', 'up.dead', 'u.id as officer_id', 'u.badge', 'u.name'])
      .where('up.incident_id', '=', row.incident_id)
      .execute();
    const named = await db.selectFrom('incident_photos').select(['sha256', 'record_id']).where('incident_id', '=', row.incident_id).execute();
    // The report's body (description, people, photo sizes) and the updates' photo sizes live in the records themselves.
    const recordIds = [...new Set([row.report_record_id, ...named.map((n) => n.record_id)])];
    const stored = await db.selectFrom('records').select(['id', 'record']).where('id', 'in', recordIds).execute();
    const bodies = new Map<string, { photos?: readonly Omit<IncidentPhoto, 'recordId'>[] }>();
    let report: { description: string; locationSource: string; people: IncidentDetailResponse['incident']['people'] } | null = null;
    for (const { id, record: text } of stored) {
      const parsed = parseStored(text);
      if (!('record' in parsed)) {
        request.log.warn({ id, reason: parsed.reason }, 'stored record failed its schema; left out');
        continue;
      }
      const { record } = parsed;
      if (record.kind !== 'incident.report' && record.kind !== 'incident.update') continue;
      bodies.set(id, record.body);
      if (record.kind === 'incident.report' && id === row.report_record_id)
        report = {
          description: record.body.description,
          locationSource: record.body.location.source,
          people: record.body.people.map((p) => ({ role: p.role, name: p.name ?? null, phone: p.phone ?? null, note: p.note ?? null })),
        };
    }

    const by = (r: { officer_id: string; badge: string; name: string }) => ({ id: r.officer_id, badge: r.badge, name: r.name });
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
      ...updates.map((u): IncidentStep => ({
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

    // Photos in timeline order, each once (the first record that named it), with what that record says of it.
    const photos: IncidentPhoto[] = [];
    const seen = new Set<string>();
    for (const step of timeline)
      for (const ref of bodies.get(step.recordId)?.photos ?? []) {
        if (seen.has(ref.sha256) || !named.some((n) => n.sha256 === ref.sha256 && n.record_id === step.recordId)) continue;
        seen.add(ref.sha256);
        photos.push({ sha256: ref.sha256, size: ref.size, type: ref.type, width: ref.width, height: ref.height, recordId: step.recordId });
      }

    return {
      incident: {
        ...summary(row, new Set(named.map((n) => n.sha256)).size),
        description: report?.description ?? null,
        locationSource: report?.locationSource ?? null,
        people: report?.people ?? [],
      },
      timeline,
      photos,
    };
  }
}
