import * as v from 'valibot';
import { type Checkpoint, type CheckpointShape, CheckpointShapeSchema } from './checkpoints.js';
import { haversineM, type LatLon } from './geo.js';
import { UUID_RE } from './ids.js';
import { InstantSchema } from './instant.js';

// Tasks a leader or supervisor hands to patrols (巡防管事), and the officer's signed updates on
// them. A task's location is a checkpoint shape: a circle (a point and its arrival radius) or a
// polygon (an area), so arrival is detected by the same geofence rules as a check-in.

export const TASK_KINDS = ['goto', 'patrol-area', 'check', 'guard', 'other'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
const TASK_PRIORITIES = ['normal', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** What an officer may say about a task, in a signed `task.update` record. */
export const TASK_UPDATE_STATES = ['accepted', 'declined', 'en-route', 'on-scene', 'done'] as const;
export type TaskUpdateState = (typeof TASK_UPDATE_STATES)[number];

/**
 * Where a task stands on the server: `open` (a squad task nobody has taken yet), `assigned` (given
 * to an officer who has not answered), an officer's latest update, or `cancelled`.
 */
export type TaskState = 'open' | 'assigned' | TaskUpdateState | 'cancelled';

/** A task no further update changes. */
export function isFinished(state: TaskState): boolean {
  return state === 'done' || state === 'cancelled';
}

const Uuid = v.pipe(v.string('must be a string'), v.regex(UUID_RE, 'must be a lower-case UUID'));
const Text = (min: number, max: number) =>
  v.pipe(v.string('must be a string'), v.trim(), v.minLength(min, 'is required'), v.maxLength(max, `must be at most ${max} characters`));

/** Who a task is for: one officer, one officer's current shift, or the squad (the first to accept takes it). */
const TaskAssigneeSchema = v.variant(
  'to',
  [
    v.strictObject({ to: v.literal('officer'), officerId: Text(1, 64) }),
    v.strictObject({ to: v.literal('shift'), shiftId: Uuid }),
    v.strictObject({ to: v.literal('squad'), squadId: Uuid }),
  ],
  'assignee must be { to: "officer" | "shift" | "squad", … }',
);
export type TaskAssignee = v.InferOutput<typeof TaskAssigneeSchema>;

/** Body of `POST /api/tasks`. */
export const NewTaskSchema = v.strictObject({
  kind: v.picklist(TASK_KINDS, `kind must be one of ${TASK_KINDS.join(', ')}`),
  title: Text(1, 80),
  details: v.optional(Text(0, 1000), ''),
  priority: v.optional(v.picklist(TASK_PRIORITIES, 'priority must be normal or urgent'), 'normal'),
  location: v.optional(v.nullable(CheckpointShapeSchema), null),
  dueAt: v.optional(v.nullable(InstantSchema), null),
  assignee: TaskAssigneeSchema,
});

/** Body of `POST /api/tasks/:id/reassign`. */
export const ReassignSchema = v.strictObject({ assignee: TaskAssigneeSchema });

const Instant = v.string();
const Person = v.object({ id: v.string(), name: v.string() });

/** One officer update as the server judged it when it arrived. */
const TaskUpdateViewSchema = v.object({
  recordId: v.string(),
  officerId: v.string(),
  officerName: v.string(),
  state: v.picklist(TASK_UPDATE_STATES),
  /** Device time of the update. */
  at: Instant,
  receivedAt: Instant,
  /** `applied`, or why it changed nothing: the task moved on while the officer was offline. */
  outcome: v.picklist(['applied', 'superseded', 'taken', 'not-yours']),
  reason: v.optional(v.string()),
  note: v.optional(v.string()),
  /** `geofence`: the device detected the arrival from its fixes; `arrival` is how well the stored track backs it. */
  method: v.picklist(['tap', 'geofence']),
  arrival: v.optional(v.picklist(['verified', 'weak', 'unsupported'])),
});
export type TaskUpdateView = v.InferOutput<typeof TaskUpdateViewSchema>;

/** A task as its officers (through pull) and its leaders (through `GET /api/tasks`) see it. */
export const TaskSchema = v.object({
  id: v.string(),
  squadId: v.string(),
  kind: v.picklist(TASK_KINDS),
  title: v.string(),
  details: v.string(),
  priority: v.picklist(TASK_PRIORITIES),
  location: v.nullable(CheckpointShapeSchema),
  dueAt: v.nullable(Instant),
  createdAt: Instant,
  createdBy: Person,
  /** Whom it was given to (after the latest reassignment). */
  assignee: v.variant('to', [
    v.object({ to: v.literal('officer'), officerId: v.string(), officerName: v.string(), shiftId: v.nullable(v.string()) }),
    v.object({ to: v.literal('squad'), squadId: v.string() }),
  ]),
  /** Who works it: the assignee, or for a squad task whoever accepted first; null while open. */
  holder: v.nullable(Person),
  state: v.picklist(['open', 'assigned', ...TASK_UPDATE_STATES, 'cancelled']),
  stateAt: Instant,
  /** Bumped by each reassignment and by cancellation; an update made against an older one is superseded. */
  revision: v.number(),
  updates: v.array(TaskUpdateViewSchema),
});
export type Task = v.InferOutput<typeof TaskSchema>;

export interface TasksResponse {
  tasks: Task[];
}

/** The officer's first accepted word that they were there: on scene, or done without saying so first. */
export function arrivalOf(updates: readonly TaskUpdateView[]): TaskUpdateView | undefined {
  return updates.find((u) => u.outcome === 'applied' && (u.state === 'on-scene' || u.state === 'done'));
}

/** Past its due time and not finished. */
export function isOverdue(task: Pick<Task, 'dueAt' | 'state'>, now: number): boolean {
  return !!task.dueAt && !isFinished(task.state) && Date.parse(task.dueAt) < now;
}

/** The order a board and a task list show: unfinished first, urgent first, overdue first, newest first. */
export function compareTasks(a: Task, b: Task, now: number): number {
  const rank = (t: Task) => (isFinished(t.state) ? 2 : 0) + (t.priority === 'urgent' ? 0 : 1) / 2;
  const overdue = (t: Task) => (isOverdue(t, now) ? 0 : 1);
  return rank(a) - rank(b) || overdue(a) - overdue(b) || b.createdAt.localeCompare(a.createdAt);
}

/** How a leader's map marks an unfinished task: overdue, then urgent, then where it stands. */
export type TaskMark = 'overdue' | 'urgent' | 'working' | 'assigned' | 'open';

/** The one mark a board gives a task (null once finished: the map shows only work still to do). */
export function taskMark(task: Pick<Task, 'dueAt' | 'state' | 'priority'>, now: number): TaskMark | null {
  if (isFinished(task.state)) return null;
  if (isOverdue(task, now)) return 'overdue';
  if (task.priority === 'urgent') return 'urgent';
  if (task.state === 'open') return 'open';
  return task.state === 'assigned' || task.state === 'declined' ? 'assigned' : 'working';
}

/** Whole minutes since the task was made and since its state last changed (never negative: device clocks drift). */
export function taskAges(task: Pick<Task, 'createdAt' | 'stateAt'>, now: number): { sinceCreatedMin: number; sinceStateMin: number } {
  const minutes = (iso: string) => Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  return { sinceCreatedMin: minutes(task.createdAt), sinceStateMin: minutes(task.stateAt) };
}

/** Where to head for a task: a circle's centre, or the average of an area's outer ring. */
export function taskTarget(task: Pick<Task, 'location'>): LatLon | null {
  const shape = task.location;
  if (!shape) return null;
  if (shape.kind === 'circle') return { lon: shape.center[0], lat: shape.center[1] };
  const ring = (shape.polygon.coordinates[0] ?? []).slice(0, -1);
  if (ring.length === 0) return null;
  return { lon: ring.reduce((s, p) => s + (p[0] ?? 0), 0) / ring.length, lat: ring.reduce((s, p) => s + (p[1] ?? 0), 0) / ring.length };
}

/** Straight-line distance and compass sector (0 = north, clockwise in eighths) from `from` to `to`. */
export function distanceAndSector(from: LatLon, to: LatLon): { distanceM: number; sector: number } {
  const φ1 = (from.lat * Math.PI) / 180;
  const φ2 = (to.lat * Math.PI) / 180;
  const Δλ = ((to.lon - from.lon) * Math.PI) / 180;
  const bearing = (Math.atan2(Math.sin(Δλ) * Math.cos(φ2), Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ)) * 180) / Math.PI;
  return { distanceM: haversineM(from, to), sector: Math.round((((bearing % 360) + 360) % 360) / 45) % 8 };
}

/**
 * A task's place as the geofence reads a checkpoint, on the device and in the server's check:
 * no dwell, so the visit rule's few inside fixes are arrival.
 */
export function taskFence(taskId: string, shape: CheckpointShape): Checkpoint {
  return { id: taskId, zoneId: taskId, name: { 'zh-CN': '', en: '' }, type: 'other', shape, minDwellS: 0 };
}
