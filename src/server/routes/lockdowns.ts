import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import * as v from 'valibot';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { newId } from '../../domain/ids.js';
import { assign, LockdownInputError, type LockdownOfficer } from '../../domain/lockdown/assign.js';
import { selectRing } from '../../domain/lockdown/ring.js';
import { arrivalOf } from '../../domain/tasks.js';
import { straightLineTravelS, travelModeOfVehicle } from '../../domain/lockdown/travel.js';
import {
  LockdownOrderSchema,
  ProposalRequestSchema,
  type LockdownProposal,
  type LockdownsResponse,
  type LockdownView,
} from '../../domain/protocol/lockdown.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { parseStored } from '../records/reader.js';
import { readOpenShifts } from '../records/shifts.js';
import { announceTask, insertTask, readTasks } from '../tasks/tasks.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const IdParams = v.strictObject({ id: v.string() });
const COMMAND = ['leader', 'supervisor'] as const;
/** The circle around a control point within which its officer counts as there. */
const POST_RADIUS_M = 50;
/** Ended lockdowns stay on the board this long. */
const RECENT_MS = 24 * 60 * 60 * 1000;

interface OnShift extends LockdownOfficer {
  name: string;
  squadId: string;
}

/**
 * Rapid lockdown (快速封控): the leader drops the incident, the server proposes the control
 * points on the ring and who mans each (domain/lockdown), the leader adjusts and orders it, and
 * every point becomes an urgent guard task for its officer. The board follows those tasks.
 */
export function lockdownRoutes(ctx: ServerContext) {
  const { db, notifier } = ctx.database;

  /** The unit's control points; deleted ones only for the boards of lockdowns that already named them. */
  async function controlPoints(viewer: SessionUser, withDeleted = false) {
    return db
      .selectFrom('control_points')
      .selectAll()
      .where('unit_id', '=', viewer.unitId)
      .$if(!withDeleted, (qb) => qb.where('deleted', '=', 0))
      .execute();
  }

  /** Officers in scope on an open shift, where their newest fix puts them and how they travel. */
  async function onShift(viewer: SessionUser): Promise<OnShift[]> {
    const roster = (await officersInScope(db, viewer)).filter((o) => o.squadId !== null);
    const roles = new Map((await db.selectFrom('users').select(['id', 'role']).where('unit_id', '=', viewer.unitId).execute()).map((u) => [u.id, u.role]));
    const patrols = new Map(roster.filter((o) => roles.get(o.id) === 'officer').map((o) => [o.id, o]));
    const shifts = await readOpenShifts(db, [...patrols.keys()]);
    const now = ctx.now().getTime();
    return Promise.all(
      shifts.map(async (shift): Promise<OnShift> => {
        const officer = patrols.get(shift.officerId)!;
        const [fix, start] = await Promise.all([
          db
            .selectFrom('positions')
            .select(['lat', 'lon', 'fix_at'])
            .where('officer_id', '=', shift.officerId)
            .where('shift_id', '=', shift.shiftId)
            .orderBy('fix_at', 'desc')
            .limit(1)
            .executeTakeFirst(),
          db.selectFrom('records').select('record').where('id', '=', shift.start.recordId).executeTakeFirst(),
        ]);
        const parsed = start ? parseStored(start.record) : null;
        const vehicle = parsed && 'record' in parsed && parsed.record.kind === 'shift.start' ? (parsed.record.body.vehicle ?? null) : null;
        return {
          id: officer.id,
          name: officer.name,
          squadId: officer.squadId!,
          mode: travelModeOfVehicle(vehicle),
          position: fix ? { lat: fix.lat, lon: fix.lon, ageS: Math.max(0, (now - Date.parse(fix.fix_at)) / 1000) } : null,
        };
      }),
    );
  }

  async function readLockdowns(viewer: SessionUser, only?: string): Promise<LockdownView[]> {
    const since = new Date(ctx.now().getTime() - RECENT_MS).toISOString();
    const rows = await db
      .selectFrom('lockdowns')
      .selectAll()
      .where('unit_id', '=', viewer.unitId)
      .$if(viewer.role === 'leader', (qb) => qb.where('squad_id', '=', viewer.squadId ?? ''))
      .$if(only !== undefined, (qb) => qb.where('id', '=', only ?? ''))
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', since)]))
      .orderBy('created_at', 'desc')
      .execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [tasks, points, people, taskRows] = await Promise.all([
      readTasks(db, (qb) => qb.where('lockdown_id', 'in', ids), 10_000),
      controlPoints(viewer, true),
      db.selectFrom('users').select(['id', 'name']).where('unit_id', '=', viewer.unitId).execute(),
      db.selectFrom('tasks').select(['id', 'lockdown_id', 'control_point_id']).where('lockdown_id', 'in', ids).execute(),
    ]);
    const taskById = new Map(tasks.map((t) => [t.id, t]));
    const pointById = new Map(points.map((p) => [p.id, p]));
    const nameOf = new Map(people.map((p) => [p.id, p.name]));
    return rows.map((row) => {
      const views = taskRows
        .filter((t) => t.lockdown_id === row.id)
        .flatMap((t) => {
          const task = taskById.get(t.id);
          const point = t.control_point_id ? pointById.get(t.control_point_id) : undefined;
          if (!task || !point || task.assignee.to !== 'officer') return [];
          const arrival = arrivalOf(task.updates);
          return [
            {
              id: point.id,
              name: { 'zh-CN': point.name_zh, en: point.name_en },
              lon: point.lon,
              lat: point.lat,
              approximate: Boolean(point.approximate),
              officerId: task.assignee.officerId,
              officerName: task.assignee.officerName,
              taskId: task.id,
              taskState: task.state,
              dueAt: task.dueAt,
              arrivedAt: arrival?.at ?? null,
              arrival: arrival ? { method: arrival.method, ...(arrival.arrival ? { check: arrival.arrival } : {}) } : null,
            },
          ];
        });
      const arrivals = views.map((p) => p.arrivedAt);
      return {
        id: row.id,
        createdAt: row.created_at,
        createdBy: { id: row.created_by, name: nameOf.get(row.created_by) ?? row.created_by },
        lon: row.lon,
        lat: row.lat,
        radiusM: row.radius_m,
        note: row.note,
        endedAt: row.ended_at,
        points: views,
        sealedAt: views.length > 0 && arrivals.every((a) => a !== null) ? (arrivals as string[]).sort().at(-1)! : null,
      };
    });
  }

  return async (app: FastifyInstance) => {
    app.post(
      '/api/lockdowns/proposal',
      {
        preHandler: requireUser(ctx, COMMAND),
        ...doc({
          summary: 'Propose who goes to which control point for a rapid lockdown around a place (nothing is sent yet)',
          body: ProposalRequestSchema,
          examples: { ring: { body: { lon: 114.416, lat: 23.111, radiusM: 800 } } },
        }),
      },
      async (request): Promise<LockdownProposal> => {
        const viewer = sessionUser(request);
        const input = parseOr400(ProposalRequestSchema, request.body);
        const skipped = new Set(input.skipped);
        const points = (await controlPoints(viewer)).filter((p) => !skipped.has(p.id));
        const ring = selectRing({ lon: input.lon, lat: input.lat }, points, input.radiusM);
        const officers = await onShift(viewer);
        let plan;
        try {
          plan = assign(
            ring.points.map((p) => p.point),
            officers,
            { pinned: input.pinned.map((p) => [p.officerId, p.pointId] as const), excluded: input.excluded },
          );
        } catch (error) {
          if (error instanceof LockdownInputError) throw new HttpError(400, 'bad-request', error.message);
          throw error;
        }
        const nameOf = new Map(officers.map((o) => [o.id, o.name]));
        return {
          radiusM: ring.radiusM,
          encloses: ring.encloses,
          largestGapDeg: ring.largestGapDeg,
          points: ring.points.map((p) => ({
            id: p.point.id,
            name: { 'zh-CN': p.point.name_zh, en: p.point.name_en },
            lon: p.point.lon,
            lat: p.point.lat,
            approximate: Boolean(p.point.approximate),
            distanceM: p.distanceM,
            bearingDeg: p.bearingDeg,
          })),
          assignments: plan.assignments.map((a) => ({ ...a, officerName: nameOf.get(a.officerId) ?? a.officerId })),
          unmanned: plan.unmanned,
          free: plan.free.map((id) => ({ id, name: nameOf.get(id) ?? id })),
          unavailable: plan.unavailable.map((u) => ({ id: u.officerId, name: nameOf.get(u.officerId) ?? u.officerId, reason: u.reason })),
          lastMannedS: plan.lastMannedS,
        };
      },
    );

    app.post(
      '/api/lockdowns',
      {
        preHandler: requireUser(ctx, COMMAND),
        ...doc({ summary: 'Order a rapid lockdown: one task per officer and control point', body: LockdownOrderSchema, status: 201 }),
      },
      async (request, reply) => {
        const viewer = sessionUser(request);
        const order = parseOr400(LockdownOrderSchema, request.body);
        const officers = new Map((await onShift(viewer)).map((o) => [o.id, o]));
        const points = new Map((await controlPoints(viewer)).map((p) => [p.id, p]));
        const seenOfficers = new Set<string>();
        const seenPoints = new Set<string>();
        for (const [i, a] of order.assignments.entries()) {
          if (!officers.has(a.officerId)) throw new HttpError(400, 'bad-request', `assignments[${i}].officerId: not an officer of yours on shift`);
          if (!points.has(a.pointId)) throw new HttpError(400, 'bad-request', `assignments[${i}].pointId: not a control point of your unit`);
          if (seenOfficers.has(a.officerId) || seenPoints.has(a.pointId))
            throw new HttpError(400, 'bad-request', `assignments[${i}]: each officer and each point once`);
          seenOfficers.add(a.officerId);
          seenPoints.add(a.pointId);
        }
        const now = ctx.now();
        const at = now.toISOString();
        const id = newId();
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('lockdowns')
            .values({
              id,
              unit_id: viewer.unitId,
              squad_id: viewer.role === 'leader' ? viewer.squadId : null,
              created_by: viewer.id,
              created_at: at,
              lon: order.lon,
              lat: order.lat,
              radius_m: order.radiusM,
              note: order.note,
              ended_at: null,
              ended_by: null,
            })
            .execute();
          for (const a of order.assignments) {
            const officer = officers.get(a.officerId)!;
            const point = points.get(a.pointId)!;
            const travelS = officer.position ? Math.ceil(haversineTravel(officer, point)) : null;
            await insertTask(trx, notifier, {
              id: newId(),
              unit_id: viewer.unitId,
              squad_id: officer.squadId,
              kind: 'guard',
              title: point.name_zh === point.name_en ? point.name_zh : `${point.name_zh} · ${point.name_en}`,
              details: order.note,
              priority: 'urgent',
              location: JSON.stringify({ kind: 'circle', center: [point.lon, point.lat], radiusM: POST_RADIUS_M }),
              due_at: travelS === null ? null : new Date(now.getTime() + travelS * 1000).toISOString(),
              created_at: at,
              created_by: viewer.id,
              assignee_id: officer.id,
              assignee_shift_id: null,
              holder_id: officer.id,
              state: 'assigned',
              state_at: at,
              revision: 0,
              version: await reserveVersions(trx),
              lockdown_id: id,
              control_point_id: point.id,
            });
          }
          await appendAuditEvent(trx, now, 'task-change', {
            userId: viewer.id,
            badge: viewer.badge,
            ip: request.ip,
            detail: JSON.stringify({ change: 'lockdown-ordered', id }),
          });
        });
        const [lockdown] = await readLockdowns(viewer, id);
        return reply.status(201).send({ lockdown });
      },
    );

    app.get(
      '/api/lockdowns',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'Lockdowns in scope with the state of their tasks' }) },
      async (request): Promise<LockdownsResponse> => ({
        lockdowns: await readLockdowns(sessionUser(request)),
      }),
    );

    app.post(
      '/api/lockdowns/:id/end',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'End a lockdown: its open tasks are cancelled', params: IdParams }) },
      async (request) => {
        const viewer = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const [found] = await readLockdowns(viewer, id);
        if (!found) throw new HttpError(404, 'not-found', 'no such lockdown in your scope');
        if (found.endedAt) throw new HttpError(409, 'conflict', 'the lockdown has already ended');
        const now = ctx.now();
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('lockdowns')
            .set({ ended_at: now.toISOString(), ended_by: viewer.id })
            .where('id', '=', id)
            .where('ended_at', 'is', null)
            .execute();
          // Its officers are released: their guard tasks end with it.
          await releaseOfficers(trx, id, now.toISOString());
          await appendAuditEvent(trx, now, 'task-change', {
            userId: viewer.id,
            badge: viewer.badge,
            ip: request.ip,
            detail: JSON.stringify({ change: 'lockdown-ended', id }),
          });
        });
        const [lockdown] = await readLockdowns(viewer, id);
        return { lockdown };
      },
    );
  };

  async function releaseOfficers(trx: Transaction<Tables>, lockdownId: string, at: string) {
    const open = await trx.selectFrom('tasks').selectAll().where('lockdown_id', '=', lockdownId).where('state', 'not in', ['done', 'cancelled']).execute();
    for (const task of open) {
      await trx
        .updateTable('tasks')
        .set({ state: 'cancelled', state_at: at, revision: task.revision + 1, version: await reserveVersions(trx) })
        .where('id', '=', task.id)
        .execute();
      await announceTask(
        trx,
        notifier,
        task,
        [task.assignee_id, task.holder_id].filter((o): o is string => !!o),
        at,
      );
    }
  }
}

/** The proposal's own travel time, so the board's "due" matches what the leader was shown. */
function haversineTravel(officer: OnShift, point: { lon: number; lat: number }): number {
  return officer.position ? straightLineTravelS(officer.position, point, officer.mode) : 0;
}
