import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import { backdating } from '../../domain/backdating.js';
import type { CheckpointShape } from '../../domain/checkpoints.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { RecordOf } from '../../domain/records.js';
import { verificationWindow, verifyCheckin, type CheckinVerdict } from '../../domain/geofence/verify.js';
import { isFinished, taskFence, type Task, type TaskKind, type TaskPriority, type TaskState, type TaskUpdateView } from '../../domain/tasks.js';
import type { Notifier } from '../db/notify.js';
import type { TaskTable, Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { publishLive } from '../live/publish.js';

// Tasks as the server keeps them: the row holds where a task stands now; each officer update is
// judged once, when it arrives, against what came before it (receive order), and that judgement
// is kept beside it in task_updates. So an update made offline against a task that was since
// reassigned, cancelled or taken by someone else is stored, marked, and shown, never lost.

type Db = Kysely<Tables> | Transaction<Tables>;

/** Tasks a board lists at most. */
const BOARD_LIMIT = 500;

/** Reads tasks with their people and update history, newest first. */
export async function readTasks(db: Db, where: (qb: TaskQuery) => TaskQuery, limit = BOARD_LIMIT): Promise<Task[]> {
  const rows = await where(db.selectFrom('tasks').selectAll()).orderBy('created_at', 'desc').limit(limit).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [updates, people] = await Promise.all([
    db.selectFrom('task_updates').selectAll().where('task_id', 'in', ids).orderBy('judged').execute(),
    db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(rows.flatMap((r) => [r.created_by, r.assignee_id, r.holder_id]).filter((id): id is string => !!id))])
      .execute(),
  ]);
  const officerNames = await namesOf(db, [...new Set(updates.map((u) => u.officer_id))]);
  const name = new Map([...people.map((p) => [p.id, p.name] as const), ...officerNames]);
  const byTask = new Map<string, typeof updates>();
  for (const u of updates) byTask.set(u.task_id, [...(byTask.get(u.task_id) ?? []), u]);
  return rows.map((row) => toTask(row, name, byTask.get(row.id) ?? []));
}

type TaskQuery = SelectQueryBuilder<Tables, 'tasks', TaskTable>;

async function namesOf(db: Db, ids: string[]): Promise<Array<readonly [string, string]>> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()).map((u) => [u.id, u.name] as const);
}

function toTask(row: TaskTable, name: Map<string, string>, updates: ReadonlyArray<Tables['task_updates']>): Task {
  return {
    id: row.id,
    squadId: row.squad_id,
    kind: row.kind as TaskKind,
    title: row.title,
    details: row.details,
    priority: row.priority as TaskPriority,
    location: row.location ? (JSON.parse(row.location) as CheckpointShape) : null,
    dueAt: row.due_at,
    createdAt: row.created_at,
    createdBy: { id: row.created_by, name: name.get(row.created_by) ?? row.created_by },
    assignee: row.assignee_id
      ? { to: 'officer', officerId: row.assignee_id, officerName: name.get(row.assignee_id) ?? row.assignee_id, shiftId: row.assignee_shift_id }
      : { to: 'squad', squadId: row.squad_id },
    holder: row.holder_id ? { id: row.holder_id, name: name.get(row.holder_id) ?? row.holder_id } : null,
    state: row.state as TaskState,
    stateAt: row.state_at,
    revision: row.revision,
    updates: updates.map((u): TaskUpdateView => ({
      recordId: u.record_id,
      officerId: u.officer_id,
      officerName: name.get(u.officer_id) ?? u.officer_id,
      state: u.state as TaskUpdateView['state'],
      at: u.at,
      receivedAt: u.received_at,
      outcome: u.outcome as TaskUpdateView['outcome'],
      ...(u.reason ? { reason: u.reason } : {}),
      ...(u.note ? { note: u.note } : {}),
      method: u.method === 'geofence' ? 'geofence' : 'tap',
      ...(u.arrival ? { arrival: u.arrival as CheckinVerdict } : {}),
    })),
  };
}

/** Tasks an officer's device holds: their squad's open-to-all tasks and every task they were ever given. */
export function officerTasksFilter(officer: SessionUser) {
  return (qb: TaskQuery): TaskQuery =>
    qb.where((eb) =>
      eb.or([
        eb.and([eb('squad_id', '=', officer.squadId ?? ''), eb('assignee_id', 'is', null)]),
        eb('id', 'in', eb.selectFrom('task_watchers').select('task_id').where('officer_id', '=', officer.id)),
      ]),
    );
}

/**
 * Tells the task's officers that it changed (they pull it) and, through the same events, the
 * squad's leaders and the unit's command; a squad task also tells the whole squad.
 */
export async function announceTask(
  trx: Transaction<Tables>,
  notifier: Notifier,
  task: Pick<TaskTable, 'id' | 'unit_id' | 'squad_id' | 'assignee_id'>,
  officers: readonly string[],
  at: string,
): Promise<void> {
  const message = { kind: 'task' as const, at, data: { taskId: task.id } };
  if (task.assignee_id === null) await publishLive(trx, notifier, { unitId: task.unit_id, squadId: task.squad_id, officerId: null }, message);
  for (const officerId of new Set(officers)) await publishLive(trx, notifier, { unitId: task.unit_id, squadId: task.squad_id, officerId }, message);
}

/** Stores a new task, makes its officer a watcher and announces it. Call inside a transaction. */
export async function insertTask(trx: Transaction<Tables>, notifier: Notifier, row: TaskTable): Promise<void> {
  await trx.insertInto('tasks').values(row).execute();
  if (row.assignee_id) await trx.insertInto('task_watchers').values({ task_id: row.id, officer_id: row.assignee_id }).execute();
  await announceTask(trx, notifier, row, row.assignee_id ? [row.assignee_id] : [], row.created_at);
}

/**
 * Judges newly stored `task.update` records in the order they arrived and applies the ones that
 * still apply. Call inside the storing transaction, after the records are inserted.
 */
export async function applyTaskUpdates(
  trx: Transaction<Tables>,
  notifier: Notifier,
  updates: ReadonlyArray<RecordOf<'task.update'>>,
  officer: SessionUser,
  receivedAt: string,
): Promise<void> {
  for (const record of updates) {
    const { taskId, state, revision } = record.body;
    const task = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).$call(lockRow(trx)).executeTakeFirst();
    const watching = task
      ? !!(await trx.selectFrom('task_watchers').select('task_id').where('task_id', '=', taskId).where('officer_id', '=', officer.id).executeTakeFirst())
      : false;
    const verdict = judge(task, officer, { state, revision }, watching);
    // The history changes even when the state does not: its officers and leaders see the new line.
    const version = await reserveVersions(trx);
    await trx
      .insertInto('task_updates')
      .values({
        record_id: record.id,
        task_id: taskId,
        officer_id: officer.id,
        state,
        at: record.at,
        received_at: receivedAt,
        outcome: verdict.outcome,
        reason: verdict.reason ?? record.body.reason ?? null,
        note: record.body.note ?? null,
        method: record.body.method,
        arrival: record.body.method === 'geofence' ? await checkArrival(trx, task, record, receivedAt) : null,
        judged: version,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    if (!task) continue;
    const next = verdict.outcome === 'applied' ? verdict.next : null;
    await trx
      .updateTable('tasks')
      .set(next ? { state: next.state, holder_id: next.holder, state_at: record.at, version } : { version })
      .where('id', '=', task.id)
      .execute();
    await announceTask(trx, notifier, task, [officer.id, ...(task.holder_id ? [task.holder_id] : [])], receivedAt);
  }
}

/**
 * How well the officer's stored track backs an arrival the device detected: the visit rule
 * replayed over the fixes around the cited ones, as for a geofence check-in. The cited fixes come
 * before the update in the device's chain, so they are stored by now (this batch or an earlier one).
 * As for a check-in (backdating.ts), an arrival whose own time its device contradicts (sent after
 * the device was reported lost, dated before it was registered, received days late) is at best weak.
 */
async function checkArrival(
  trx: Transaction<Tables>,
  task: TaskTable | undefined,
  update: RecordOf<'task.update'>,
  receivedAt: string,
): Promise<CheckinVerdict> {
  const evidence = update.body.evidence ?? [];
  if (!task?.location || evidence.length === 0) return 'unsupported';
  const fence = taskFence(task.id, JSON.parse(task.location) as CheckpointShape);
  const cited = await trx.selectFrom('positions').select('fix_at').where('officer_id', '=', update.officerId).where('record_id', 'in', evidence).execute();
  if (cited.length === 0) return 'unsupported';
  const enteredAt = Math.min(...cited.map((p) => Date.parse(p.fix_at)));
  const claim = { method: 'geofence' as const, enteredAt, dwellS: 0, evidence };
  const { from, to } = verificationWindow(fence, claim);
  const track = await trx
    .selectFrom('positions')
    .select(['record_id', 'fix_at', 'lat', 'lon', 'accuracy'])
    .where('officer_id', '=', update.officerId)
    .where('fix_at', '>=', new Date(from).toISOString())
    .where('fix_at', '<=', new Date(to).toISOString())
    .orderBy('fix_at')
    .execute();
  const fixes = track.map((p) => ({ recordId: p.record_id, fixAt: Date.parse(p.fix_at), lat: p.lat, lon: p.lon, accuracy: p.accuracy }));
  const { verdict } = verifyCheckin(fence, claim, fixes);
  if (verdict !== 'verified') return verdict;
  const device = await trx.selectFrom('devices').select(['registered_at', 'revoked_at']).where('id', '=', update.deviceId).executeTakeFirst();
  const flag = backdating(update.at, receivedAt, { registeredAt: device?.registered_at ?? null, revokedAt: device?.revoked_at ?? null });
  return flag ? 'weak' : verdict;
}

type Verdict =
  | { outcome: 'applied'; reason?: string; next: { state: TaskState; holder: string | null } | null }
  | { outcome: 'superseded' | 'taken' | 'not-yours'; reason: string };

/**
 * The conflict rules, in one place. An update against a task that was cancelled, finished, or
 * reassigned to someone else since the officer saw it is superseded; on a squad task, the first
 * acceptance the server receives takes it and later ones are told who has it.
 */
function judge(task: TaskTable | undefined, officer: SessionUser, update: { state: TaskState; revision: number }, watching: boolean): Verdict {
  if (!task || task.unit_id !== officer.unitId) return { outcome: 'not-yours', reason: 'unknown-task' };
  const squadTask = task.assignee_id === null;
  if (!watching && !(squadTask && task.squad_id === officer.squadId)) return { outcome: 'not-yours', reason: 'not-assigned' };
  if (task.state === 'cancelled') return { outcome: 'superseded', reason: 'cancelled' };
  const current = task.assignee_id ?? task.holder_id;
  if (update.revision < task.revision && current !== officer.id) return { outcome: 'superseded', reason: 'reassigned' };
  if (isFinished(task.state as TaskState)) return { outcome: 'superseded', reason: 'finished' };
  if (squadTask) {
    if (task.holder_id && task.holder_id !== officer.id) return { outcome: 'taken', reason: task.holder_id };
    // Declining a squad task nobody holds only says "not me"; it stays open to the others.
    if (!task.holder_id && update.state === 'declined') return { outcome: 'applied', next: null };
    if (update.state === 'declined') return { outcome: 'applied', next: { state: 'open', holder: null } };
    return { outcome: 'applied', next: { state: update.state, holder: officer.id } };
  }
  if (task.assignee_id !== officer.id) return { outcome: 'superseded', reason: 'reassigned' };
  return { outcome: 'applied', next: { state: update.state, holder: officer.id } };
}

/** PostgreSQL: lock the task row, so two batches judging updates to one task take turns (SQLite has one writer). */
export function lockRow(trx: Transaction<Tables>) {
  return <Q extends { forUpdate(): Q }>(qb: Q): Q => (isPostgres(trx as Kysely<Tables>) ? qb.forUpdate() : qb);
}
