import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { InstantSchema } from '../../domain/instant.js';
import type { CheckinsResponse, ComplianceResponse } from '../../domain/protocol/compliance.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope, reportable, type ScopedOfficer } from '../auth/scope.js';
import { compliance, verifiedCheckins } from '../compliance/compliance.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { UnreadableSink } from '../records/reader.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const WindowQuerySchema = v.strictObject({
  officerId: v.optional(v.pipe(v.string(), v.minLength(1, 'officerId must not be empty'))),
  from: v.optional(InstantSchema),
  to: v.optional(InstantSchema),
});

/** The longest window one request may ask about; compliance is derived from raw records each time. */
const MAX_WINDOW_MS = 31 * 24 * 3600_000;

/**
 * `GET /api/checkins` (each check-in with the server's verdict) and `GET /api/compliance` (plan
 * compliance per shift and per checkpoint), over a window, for the officers the viewer may see:
 * an officer themself, a leader their squad, a supervisor or admin their unit.
 */
export function complianceRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/checkins',
      { preHandler: requireUser(ctx), ...doc({ summary: "Check-ins in a window with their verdicts, within the role's scope", query: WindowQuerySchema }) },
      async (request) => {
        const { officers, from, to } = await scope(request);
        return { checkins: await verifiedCheckins(db, officers, sessionUser(request).unitId, from, to, logUnreadable(request)) } satisfies CheckinsResponse;
      },
    );

    app.get(
      '/api/compliance',
      {
        preHandler: requireUser(ctx),
        ...doc({ summary: 'Checkpoint compliance of the shifts in a window, against their patrol plans', query: WindowQuerySchema }),
      },
      async (request) => {
        const { officers, from, to } = await scope(request);
        return (await compliance(db, officers, sessionUser(request).unitId, { from, to, now: ctx.now() }, logUnreadable(request))) satisfies ComplianceResponse;
      },
    );
  };

  /** The window (default: the last 24 hours) and the officers in it the viewer may see. */
  async function scope(request: FastifyRequest): Promise<{ officers: ScopedOfficer[]; from: string; to: string }> {
    const query = parseOr400(WindowQuerySchema, request.query);
    const now = ctx.now();
    const to = query.to ?? now.toISOString();
    const from = query.from ?? new Date(Date.parse(to) - 24 * 3600_000).toISOString();
    if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
    if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_MS) throw new HttpError(400, 'bad-request', 'the window may span at most 31 days');
    // A unit-wide report leaves the simulator's accounts out; one asked for by id is shown as it is.
    const officers = await officersInScope(db, sessionUser(request), query.officerId);
    return { officers: query.officerId === undefined ? reportable(officers) : officers, from, to };
  }
}

/** Unreadable stored records are left out of the answer and logged for whoever keeps the database. */
function logUnreadable(request: FastifyRequest): UnreadableSink {
  return (problem) => request.log.warn(problem, 'stored record failed its schema; left out');
}
