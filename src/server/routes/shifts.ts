import type { FastifyInstance } from 'fastify';
import type { OpenShiftsResponse } from '../../domain/protocol/shifts.js';
import type { RecordOf } from '../../domain/records.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';

/** `GET /api/shifts/open`: shifts started and not ended in the viewer's squad (leader) or unit, overdue ones flagged. */
export function shiftRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get('/api/shifts/open', { preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']) }, async (request) => {
      const officers = await officersInScope(db, sessionUser(request));
      if (officers.length === 0) return { shifts: [] } satisfies OpenShiftsResponse;
      const rows = await db
        .selectFrom('records')
        .select(['kind', 'record'])
        .where('kind', 'in', ['shift.start', 'shift.end'])
        .where(
          'officer_id',
          'in',
          officers.map((o) => o.id),
        )
        .execute();
      // Keyed by officer too: a shift id is the device's choice, and one officer's shift.end
      // must never end another's shift.
      const key = (r: { officerId: string; body: { shiftId: string } }) => `${r.officerId}:${r.body.shiftId}`;
      const ended = new Set<string>();
      const started: Array<RecordOf<'shift.start'>> = [];
      for (const row of rows) {
        const record = JSON.parse(row.record) as RecordOf<'shift.start'> | RecordOf<'shift.end'>;
        if (record.kind === 'shift.end') ended.add(key(record));
        else started.push(record);
      }
      const now = ctx.now().toISOString();
      const byId = new Map(officers.map((o) => [o.id, o]));
      const shifts = started
        .filter((s) => !ended.has(key(s)))
        .map((s) => ({
          shiftId: s.body.shiftId,
          officerId: s.officerId,
          badge: byId.get(s.officerId)?.badge ?? '',
          name: byId.get(s.officerId)?.name ?? '',
          startedAt: s.at,
          plannedEndAt: s.body.plannedEndAt ?? null,
          overdue: !!s.body.plannedEndAt && s.body.plannedEndAt < now,
        }))
        .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.startedAt.localeCompare(b.startedAt));
      return { shifts } satisfies OpenShiftsResponse;
    });
  };
}
