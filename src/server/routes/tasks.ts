import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import * as v from 'valibot';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { newId } from '../../domain/ids.js';
import { compareTasks, isFinished, NewTaskSchema, ReassignSchema, type TaskAssignee, type TaskState, type TasksResponse } from '../../domain/tasks.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import type { TaskTable, Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { readOpenShifts } from '../records/shifts.js';
import { announceTask, insertTask, lockRow, officerTasksFilter, readTasks } from '../tasks/tasks.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const IdParams = v.strictObject({ id: v.string() });
const COMMAND = ['leader', 'supervisor'] as const;

/** Who a task goes to, resolved against the roster and the viewer's scope. */
interface Resolved {
  squadId: string;
  officerId: string | null;
  shiftId: string | null;
}

/**
 * Tasks: leaders (their squad) and supervisors (their unit) create, reassign and cancel them;
 * everyone lists what they may see. Officers answer through signed `task.update` records (push).
 */
export function taskRoutes(ctx: ServerContext) {
  const { db, notifier } = ctx.database;

  /** The assignee in the viewer's scope, or a 400 naming what is wrong (out of scope looks like unknown). */
  async function resolve(from: Kysely<Tables>, viewer: SessionUser, assignee: TaskAssignee): Promise<Resolved> {
    const officers = (await officersInScope(from, viewer)).filter((o) => o.squadId !== null);
    if (assignee.to === 'squad') {
      if (!officers.some((o) => o.squadId === assignee.squadId)) throw new HttpError(400, 'bad-request', 'assignee.squadId: not a squad of yours');
      return { squadId: assignee.squadId, officerId: null, shiftId: null };
    }
    const roles = new Map((await from.selectFrom('users').select(['id', 'role']).where('unit_id', '=', viewer.unitId).execute()).map((u) => [u.id, u.role]));
    const patrols = officers.filter((o) => roles.get(o.id) === 'officer');
    if (assignee.to === 'officer') {
      const officer = patrols.find((o) => o.id === assignee.officerId);
      if (!officer?.squadId) throw new HttpError(400, 'bad-request', 'assignee.officerId: not an officer of yours');
      return { squadId: officer.squadId, officerId: officer.id, shiftId: null };
    }
    const open = await readOpenShifts(
      from,
      patrols.map((o) => o.id),
    );
    const shift = open.find((s) => s.shiftId === assignee.shiftId);
    const officer = shift && patrols.find((o) => o.id === shift.officerId);
    if (!shift || !officer?.squadId) throw new HttpError(400, 'bad-request', 'assignee.shiftId: not an open shift of yours');
    return { squadId: officer.squadId, officerId: officer.id, shiftId: shift.shiftId };
  }

  /** The task, if the viewer commands its squad; out of scope looks like unknown. */
  async function commanded(trx: Transaction<Tables>, viewer: SessionUser, id: string): Promise<TaskTable> {
    const task = await trx.selectFrom('tasks').selectAll().where('id', '=', id).$call(lockRow(trx)).executeTakeFirst();
    const inScope = task && task.unit_id === viewer.unitId && (viewer.role === 'supervisor' || task.squad_id === viewer.squadId);
    if (!task || !inScope) throw new HttpError(404, 'not-found', 'no such task in your scope');
    if (isFinished(task.state as TaskState)) throw new HttpError(409, 'conflict', `the task is already ${task.state}`);
    return task;
  }

  const audit = (trx: Transaction<Tables>, viewer: SessionUser, ip: string, change: string, id: string) =>
    appendAuditEvent(trx, ctx.now(), 'task-change', { userId: viewer.id, badge: viewer.badge, ip, detail: JSON.stringify({ change, id }) });

  return async (app: FastifyInstance) => {
    app.get(
      '/api/tasks',
      { preHandler: requireUser(ctx, ['officer', ...COMMAND]), ...doc({ summary: "Tasks in scope: an officer's own, a leader's squad's, the unit's" }) },
      async (request): Promise<TasksResponse> => {
        const viewer = sessionUser(request);
        const tasks = await readTasks(db, (qb) => {
          if (viewer.role === 'officer') return officerTasksFilter(viewer)(qb);
          const unit = qb.where('unit_id', '=', viewer.unitId);
          return viewer.role === 'supervisor' ? unit : unit.where('squad_id', '=', viewer.squadId ?? '');
        });
        const now = ctx.now().getTime();
        return { tasks: tasks.sort((a, b) => compareTasks(a, b, now)) };
      },
    );

    app.post(
      '/api/tasks',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'Make a task for an officer (or the squad) in scope', body: NewTaskSchema, status: 201 }) },
      async (request, reply) => {
        const viewer = sessionUser(request);
        const input = parseOr400(NewTaskSchema, request.body);
        const to = await resolve(db, viewer, input.assignee);
        const now = ctx.now().toISOString();
        const id = newId();
        await db.transaction().execute(async (trx) => {
          const row: TaskTable = {
            id,
            unit_id: viewer.unitId,
            squad_id: to.squadId,
            kind: input.kind,
            title: input.title,
            details: input.details,
            priority: input.priority,
            location: input.location ? JSON.stringify(input.location) : null,
            due_at: input.dueAt,
            created_at: now,
            created_by: viewer.id,
            assignee_id: to.officerId,
            assignee_shift_id: to.shiftId,
            holder_id: to.officerId,
            state: to.officerId ? 'assigned' : 'open',
            state_at: now,
            revision: 0,
            version: await reserveVersions(trx),
            lockdown_id: null,
            control_point_id: null,
          };
          await insertTask(trx, notifier, row);
          await audit(trx, viewer, request.ip, 'task-created', id);
        });
        const [task] = await readTasks(db, (qb) => qb.where('id', '=', id));
        return reply.status(201).send({ task });
      },
    );

    app.post(
      '/api/tasks/:id/reassign',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'Give an open task to another officer', params: IdParams, body: ReassignSchema }) },
      async (request) => {
        const viewer = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const { assignee } = parseOr400(ReassignSchema, request.body);
        const now = ctx.now().toISOString();
        await db.transaction().execute(async (trx) => {
          // The task first: one out of scope is a 404 whatever the body says.
          const task = await commanded(trx, viewer, id);
          const to = await resolve(trx, viewer, assignee);
          const previous = [task.assignee_id, task.holder_id].filter((o): o is string => !!o);
          const changed = {
            squad_id: to.squadId,
            assignee_id: to.officerId,
            assignee_shift_id: to.shiftId,
            holder_id: to.officerId,
            state: to.officerId ? 'assigned' : 'open',
            state_at: now,
            revision: task.revision + 1,
            version: await reserveVersions(trx),
          };
          await trx.updateTable('tasks').set(changed).where('id', '=', id).execute();
          if (to.officerId)
            await trx
              .insertInto('task_watchers')
              .values({ task_id: id, officer_id: to.officerId })
              .onConflict((oc) => oc.doNothing())
              .execute();
          await audit(trx, viewer, request.ip, 'task-reassigned', id);
          await announceTask(trx, notifier, { ...task, ...changed }, [...previous, ...(to.officerId ? [to.officerId] : [])], now);
        });
        const [task] = await readTasks(db, (qb) => qb.where('id', '=', id));
        return { task };
      },
    );

    app.post(
      '/api/tasks/:id/cancel',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'Cancel an open task', params: IdParams }) },
      async (request) => {
        const viewer = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const now = ctx.now().toISOString();
        await db.transaction().execute(async (trx) => {
          const task = await commanded(trx, viewer, id);
          const changed = { state: 'cancelled', state_at: now, revision: task.revision + 1, version: await reserveVersions(trx) };
          await trx.updateTable('tasks').set(changed).where('id', '=', id).execute();
          await audit(trx, viewer, request.ip, 'task-cancelled', id);
          await announceTask(
            trx,
            notifier,
            task,
            [task.assignee_id, task.holder_id].filter((o): o is string => !!o),
            now,
          );
        });
        const [task] = await readTasks(db, (qb) => qb.where('id', '=', id));
        return { task };
      },
    );
  };
}
