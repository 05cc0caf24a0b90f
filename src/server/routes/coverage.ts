import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { UUID_RE } from '../../domain/ids.js';
import { InstantSchema } from '../../domain/instant.js';
import type { CoverageResponse } from '../../domain/protocol/coverage.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope, reportable } from '../auth/scope.js';
import { compliance } from '../compliance/compliance.js';
import type { ServerContext } from '../context.js';
import { zoneCoverage, zoneInScope } from '../coverage/coverage.js';
import { HttpError } from '../errors.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/** The longest window one request may ask about, as for compliance (which this answer carries). */
const MAX_WINDOW_MS = 31 * 24 * 3600_000;
const DEFAULT_WINDOW_MS = 12 * 3600_000;

const CoverageQuerySchema = v.strictObject({
  zoneId: v.pipe(v.string('zoneId is required'), v.regex(UUID_RE, 'zoneId must be a zone id (a lower-case UUID)')),
  from: v.optional(InstantSchema),
  to: v.optional(InstantSchema),
  unseenHours: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}(\.\d{1,2})?$/, 'unseenHours must be a number of hours, e.g. 2 or 0.5'),
      v.transform(Number),
      v.minValue(0.25, 'unseenHours must be at least 0.25'),
      v.maxValue(168, 'unseenHours must be at most 168 (a week)'),
    ),
    '2',
  ),
});

/**
 * `GET /api/coverage?zoneId=&from=&to=&unseenHours=`: a zone's beat coverage over a window (default
 * the last 12 hours) for a leader's squad or a supervisor's unit. Officers get 403: coverage is
 * how a leader sees the beat, and an officer's own route is on their own map.
 */
export function coverageRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/coverage',
      {
        preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']),
        ...doc({ summary: "A zone's coverage in a window: cells passed, by whom, and its checkpoints", query: CoverageQuerySchema }),
      },
      async (request) => {
        const query = parseOr400(CoverageQuerySchema, request.query);
        const now = ctx.now();
        const to = query.to ?? now.toISOString();
        const from = query.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString();
        if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
        if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_MS) throw new HttpError(400, 'bad-request', 'the window may span at most 31 days');
        const viewer = sessionUser(request);
        const zone = await zoneInScope(db, viewer, query.zoneId);
        const officers = reportable(await officersInScope(db, viewer));
        const coverage = await zoneCoverage(db, zone, officers, { from, to, now, unseenHours: query.unseenHours });
        const zoneCheckpoints = new Set(
          (await db.selectFrom('checkpoints').select('id').where('zone_id', '=', zone.id).where('deleted', '=', 0).execute()).map((c) => c.id),
        );
        const checks = await compliance(db, officers, viewer.unitId, { from: coverage.from, to: coverage.to, now }, (problem) =>
          request.log.warn(problem, 'stored record failed its schema; left out'),
        );
        return { ...coverage, checkpoints: checks.checkpoints.filter((c) => zoneCheckpoints.has(c.checkpointId)) } satisfies CoverageResponse;
      },
    );
  };
}
