import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { areasFromGeoJson, areasToGeoJson } from '../../domain/areas.js';
import { newId } from '../../domain/ids.js';
import type { AreasResponse, SafetyIndexResponse } from '../../domain/protocol/safety-index.js';
import { districtMonth, MONTH_RE } from '../../domain/safety-index.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { unitAreas, writeAreas } from '../safety-index/areas.js';
import { unitIndex } from '../safety-index/month-index.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/** Real boundaries are detailed: an import of a district's towns and communities may be large. */
const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const IndexQuerySchema = v.strictObject({
  month: v.optional(v.pipe(v.string('month must be a string'), v.regex(MONTH_RE, 'month must be YYYY-MM, e.g. 2026-11'))),
});

/**
 * The published safety index (issue 15) of the viewer's unit, and the areas it is published for.
 * Supervisors publish it and admins keep its areas; leaders may read their unit's too (it is a
 * unit-wide publication of counts, with no incident's details). Officers get 403.
 * Admins import the real boundaries as GeoJSON, all or nothing.
 */
export function safetyIndexRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const readers = { preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']) };
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };
  return async (app: FastifyInstance) => {
    /** `GET /api/safety-index?month=YYYY-MM` (default this district month): that month and the eleven before. */
    app.get(
      '/api/safety-index',
      { ...readers, ...doc({ summary: 'The safety index of each area for a month', query: IndexQuerySchema }) },
      async (request): Promise<SafetyIndexResponse> => {
        const query = parseOr400(IndexQuerySchema, request.query);
        const thisMonth = districtMonth(ctx.now().getTime());
        const month = query.month ?? thisMonth;
        if (month > thisMonth) throw new HttpError(400, 'bad-request', `month ${month} has not begun yet (it is ${thisMonth} in district time)`);
        if (month < '2020-01') throw new HttpError(400, 'bad-request', 'month must be 2020-01 or later');
        return unitIndex(db, sessionUser(request).unitId, month);
      },
    );

    app.get('/api/areas', { ...readers, ...doc({ summary: "The unit's areas the index is published for" }) }, async (request): Promise<AreasResponse> => ({
      areas: await unitAreas(db, sessionUser(request).unitId),
    }));

    app.get(
      '/api/admin/areas/export',
      { ...adminOnly, ...doc({ summary: 'The areas as a GeoJSON FeatureCollection', responseType: 'application/geo+json' }) },
      async (request, reply) => {
        const collection = areasToGeoJson(await unitAreas(db, sessionUser(request).unitId));
        reply.header('content-type', 'application/geo+json; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="areas-${ctx.now().toISOString().slice(0, 10)}.geojson"`);
        return JSON.stringify(collection);
      },
    );

    app.post(
      '/api/admin/areas/import',
      {
        ...adminOnly,
        bodyLimit: IMPORT_BODY_LIMIT,
        ...doc({
          summary: 'Replace or add areas from a GeoJSON FeatureCollection (checked whole: nothing is kept when one feature is bad)',
          bodyTypes: ['application/json'],
          bodyNote: 'A GeoJSON FeatureCollection of polygons with properties name and level.',
        }),
      },
      async (request) => {
        const admin = sessionUser(request);
        const parsed = areasFromGeoJson(request.body, newId);
        if (!parsed.ok) throw new HttpError(400, 'bad-request', parsed.problems[0] ?? 'invalid GeoJSON', { problems: parsed.problems });
        return db.transaction().execute(async (trx) => {
          const counts = await writeAreas(trx, admin.unitId, parsed.items, ctx.now().toISOString());
          await appendAuditEvent(trx, ctx.now(), 'geography-change', {
            userId: admin.id,
            badge: admin.badge,
            ip: request.ip,
            detail: JSON.stringify({ areaImport: counts }),
          });
          return counts;
        });
      },
    );
  };
}
