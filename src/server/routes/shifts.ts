import type { FastifyInstance } from 'fastify';
import { ResolveLossSchema, type EquipmentLossesResponse, type OpenShiftsResponse, type ResolveLossResponse } from '../../domain/protocol/shifts.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { publishLive } from '../live/publish.js';
import { readOpenLosses } from '../records/equipment-losses.js';
import { readOpenShifts } from '../records/shifts.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/**
 * `GET /api/shifts/open`: shifts started and not ended in the viewer's squad (leader) or unit, overdue ones flagged.
 * `GET /api/shifts/equipment-losses`: firearms and ammunition not returned at a shift's end and not yet resolved, same scope.
 * `POST /api/shifts/equipment-losses/resolve`: a leader or supervisor marks one resolved, with a note; audited.
 */
export function shiftRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/shifts/open',
      { preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']), ...doc({ summary: 'Shifts started and not ended, in scope' }) },
      async (request) => {
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
      },
    );

    const lossRoles = requireUser(ctx, ['leader', 'supervisor']);

    app.get(
      '/api/shifts/equipment-losses',
      { preHandler: lossRoles, ...doc({ summary: 'Equipment taken out on a shift and not brought back, in scope' }) },
      async (request) => {
        const officers = await officersInScope(db, sessionUser(request));
        return { losses: await readOpenLosses(db, officers) } satisfies EquipmentLossesResponse;
      },
    );

    app.post(
      '/api/shifts/equipment-losses/resolve',
      { preHandler: lossRoles, ...doc({ summary: 'Mark an equipment loss resolved, with a note', body: ResolveLossSchema }) },
      async (request) => {
        const viewer = sessionUser(request);
        const body = parseOr400(ResolveLossSchema, request.body);
        // A 403 for an officer out of scope, before anything about their losses is told.
        const [officer] = await officersInScope(db, viewer, body.officerId);
        const key = { officer_id: body.officerId, shift_id: body.shiftId, item: body.item, serial: body.serial ?? '' };
        const resolvedAt = ctx.now().toISOString();
        const note = body.note.trim();
        await db.transaction().execute(async (trx) => {
          const loss = await trx
            .selectFrom('equipment_losses')
            .select('officer_id')
            .where('officer_id', '=', key.officer_id)
            .where('shift_id', '=', key.shift_id)
            .where('item', '=', key.item)
            .where('serial', '=', key.serial)
            .executeTakeFirst();
          if (!loss) throw new HttpError(404, 'not-found', 'no such loss was reported for this shift');
          const inserted = await trx
            .insertInto('equipment_resolutions')
            .values({ ...key, resolved_by: viewer.id, resolved_at: resolvedAt, note })
            .onConflict((oc) => oc.columns(['officer_id', 'shift_id', 'item', 'serial']).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new HttpError(409, 'conflict', 'this loss is already resolved');
          await appendAuditEvent(trx, ctx.now(), 'equipment-resolved', {
            userId: viewer.id,
            badge: viewer.badge,
            ip: request.ip,
            detail: JSON.stringify({ officerId: key.officer_id, shiftId: key.shift_id, item: key.item, serial: key.serial, note }),
          });
          // The other leaders and supervisors drop the alert now, not at their next poll (15 s of a
          // firearm shown missing after it was found); the same audience as the shift's own events.
          await publishLive(
            trx,
            ctx.database.notifier,
            { unitId: viewer.unitId, squadId: officer!.squadId, officerId: key.officer_id },
            { kind: 'shift', at: resolvedAt, data: { officerId: key.officer_id, shiftId: key.shift_id } },
          );
        });
        return {
          resolved: { officerId: key.officer_id, shiftId: key.shift_id, item: key.item, serial: key.serial || null, resolvedBy: viewer.id, resolvedAt, note },
        } satisfies ResolveLossResponse;
      },
    );
  };
}
