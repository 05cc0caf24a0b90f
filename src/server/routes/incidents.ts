import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExpressionBuilder } from 'kysely';
import * as v from 'valibot';
import { pointInPolygon } from '../../domain/geo.js';
import { UUID_RE } from '../../domain/ids.js';
import { INCIDENT_STATES } from '../../domain/incidents.js';
import { InstantSchema } from '../../domain/instant.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import {
  INCIDENTS_DEFAULT_WINDOW_MS,
  INCIDENTS_MAX_LIMIT,
  INCIDENTS_MAX_WINDOW_MS,
  type IncidentDetailResponse,
  type IncidentsResponse,
} from '../../domain/protocol/incidents.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { zoneInScope } from '../coverage/coverage.js';
import type { IncidentTable } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { incidentDetails, incidentsFrom, incidentSummaries } from '../records/incident-view.js';
import type { UnreadableSink } from '../records/reader.js';
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

/**
 * `GET /api/incidents` (newest first, in a window of incident time, filtered by category, status
 * and zone) and `GET /api/incidents/:id` (the incident, its timeline and its photos), for the
 * incidents the viewer may see.
 */
export function incidentRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    const listDoc = doc({ summary: "Incidents in the role's scope, newest first, filtered by window, category, zone and state", query: IncidentsQuerySchema });
    app.get('/api/incidents', { preHandler: requireUser(ctx), ...listDoc }, async (request): Promise<IncidentsResponse> => {
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
      return { from, to, incidents: await incidentSummaries(db, rows, unreadable(request)), truncated };
    });

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
        const [detail] = await incidentDetails(db, [row], unreadable(request));
        if (!detail) throw new Error('an incident read without its page');
        return detail;
      },
    );
  };
}

function unreadable(request: FastifyRequest): UnreadableSink {
  return (problem) => request.log.warn(problem, 'stored record failed its schema; left out');
}
