import type { TaskKind, TaskMark, TaskState, TaskUpdateView } from '../../domain/tasks.js';
import type { MessageKey } from '../i18n/index.js';

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

/** How the leader's map and its legend name a task's mark. */
export const MARK_KEYS: Record<TaskMark, MessageKey> = {
  overdue: 'board.mark.overdue',
  urgent: 'board.mark.urgent',
  assigned: 'board.mark.assigned',
  working: 'board.mark.working',
  open: 'board.mark.open',
};
