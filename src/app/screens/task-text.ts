import type { TaskKind, TaskMark, TaskState, TaskUpdateView } from '../../domain/tasks.js';
import { t, type MessageKey } from '../i18n/index.js';

// Catalog keys for task words, shared by the officer's list and the leader's board.

export const KIND_KEYS: Record<TaskKind, MessageKey> = {
  goto: 'task.kind.goto',
  'patrol-area': 'task.kind.patrol-area',
  check: 'task.kind.check',
  guard: 'task.kind.guard',
  other: 'task.kind.other',
};

export const STATE_KEYS: Record<TaskState, MessageKey> = {
  open: 'task.state.open',
  assigned: 'task.state.assigned',
  accepted: 'task.state.accepted',
  declined: 'task.state.declined',
  'en-route': 'task.state.en-route',
  'on-scene': 'task.state.on-scene',
  done: 'task.state.done',
  cancelled: 'task.state.cancelled',
};

/** Why an officer's update changed nothing, told plainly. */
export const OUTCOME_KEYS: Record<Exclude<TaskUpdateView['outcome'], 'applied'>, MessageKey> = {
  superseded: 'task.outcome.superseded',
  taken: 'task.outcome.taken',
  'not-yours': 'task.outcome.not-yours',
};

/** Compass sectors clockwise from north, in eighths. */
export const SECTOR_KEYS: readonly MessageKey[] = ['dir.n', 'dir.ne', 'dir.e', 'dir.se', 'dir.s', 'dir.sw', 'dir.w', 'dir.nw'];

/** An arrival as a leader reads it: detected by GPS (with how well the stored track backs it) or reported by a tap. */
export function arrivalText(method: TaskUpdateView['method'], check: TaskUpdateView['arrival']): string {
  if (method === 'tap') return t('task.arrival.tap');
  return `${t('task.arrival.geofence')} · ${t(ARRIVAL_CHECK_KEYS[check ?? 'unsupported'])}`;
}

const ARRIVAL_CHECK_KEYS: Record<NonNullable<TaskUpdateView['arrival']>, MessageKey> = {
  verified: 'task.arrival.verified',
  weak: 'task.arrival.weak',
  unsupported: 'task.arrival.unsupported',
};

/** How the leader's map and its legend name a task's mark. */
export const MARK_KEYS: Record<TaskMark, MessageKey> = {
  overdue: 'board.mark.overdue',
  urgent: 'board.mark.urgent',
  assigned: 'board.mark.assigned',
  working: 'board.mark.working',
  open: 'board.mark.open',
};
