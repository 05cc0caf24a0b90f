import type { FastifyInstance } from 'fastify';
import type { OpenShiftsResponse } from '../../domain/protocol/shifts.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import { readOpenShifts } from '../records/shifts.js';

/** `GET /api/shifts/open`: shifts started and not ended in the viewer's squad (leader) or unit, overdue ones flagged. */
export function shiftRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get('/api/shifts/open', { preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']) }, async (request) => {
      const officers = await officersInScope(db, sessionUser(request));
      const open = await readOpenShifts(
        db,
        officers.map((o) => o.id),
      );
      const now = ctx.now().toISOString();
      const byId = new Map(officers.map((o) => [o.id, o]));
      const shifts = open
        .map((s) => ({
          shiftId: s.shiftId,
          officerId: s.officerId,
          badge: byId.get(s.officerId)?.badge ?? '',
          name: byId.get(s.officerId)?.name ?? '',
          startedAt: s.start.at,
          plannedEndAt: s.start.plannedEndAt,
          overdue: !!s.start.plannedEndAt && s.start.plannedEndAt < now,
        }))
        .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.startedAt.localeCompare(b.startedAt));
      return { shifts } satisfies OpenShiftsResponse;
    });
  };
}
