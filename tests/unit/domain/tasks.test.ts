import { describe, expect, it } from 'vitest';
import { compareTasks, isOverdue, taskAges, taskMark, type Task } from '../../../src/domain/tasks.js';

const NOW = Date.parse('2026-11-30T10:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function task(over: Partial<Task> = {}): Task {
  return {
    id: over.id ?? 'task',
    squadId: 'squad',
    kind: 'goto',
    title: 'title',
    details: '',
    priority: 'normal',
    location: null,
    dueAt: null,
    createdAt: minutesAgo(30),
    createdBy: { id: 'leader', name: 'Leader' },
    assignee: { to: 'squad', squadId: 'squad' },
    holder: null,
    state: 'open',
    stateAt: minutesAgo(30),
    revision: 0,
    updates: [],
    ...over,
  };
}

describe('a task on the leader’s board', () => {
  it('is overdue only once its due time has passed and while it is unfinished', () => {
    expect(isOverdue(task({ dueAt: minutesAgo(1) }), NOW)).toBe(true);
    expect(isOverdue(task({ dueAt: minutesAgo(-1) }), NOW)).toBe(false);
    expect(isOverdue(task({ dueAt: null }), NOW)).toBe(false);
    expect(isOverdue(task({ dueAt: minutesAgo(1), state: 'done' }), NOW)).toBe(false);
    expect(isOverdue(task({ dueAt: minutesAgo(1), state: 'cancelled' }), NOW)).toBe(false);
  });

  it('is marked overdue before urgent, and urgent before where it stands', () => {
    expect(taskMark(task({ priority: 'urgent', dueAt: minutesAgo(5), state: 'accepted' }), NOW)).toBe('overdue');
    expect(taskMark(task({ priority: 'urgent', state: 'en-route' }), NOW)).toBe('urgent');
    expect(taskMark(task({ state: 'open' }), NOW)).toBe('open');
    expect(taskMark(task({ state: 'assigned' }), NOW)).toBe('assigned');
    expect(taskMark(task({ state: 'declined' }), NOW)).toBe('assigned');
    for (const state of ['accepted', 'en-route', 'on-scene'] as const) expect(taskMark(task({ state }), NOW)).toBe('working');
  });

  it('leaves the map once it is done or cancelled', () => {
    expect(taskMark(task({ state: 'done', priority: 'urgent' }), NOW)).toBeNull();
    expect(taskMark(task({ state: 'cancelled', dueAt: minutesAgo(5) }), NOW)).toBeNull();
  });

  it('counts whole minutes since it was made and since its last change, never below zero', () => {
    expect(taskAges(task({ createdAt: minutesAgo(42.9), stateAt: minutesAgo(3.2) }), NOW)).toEqual({ sinceCreatedMin: 42, sinceStateMin: 3 });
    // A leader's phone a little behind the server sees a task made "in the future".
    expect(taskAges(task({ createdAt: minutesAgo(-2), stateAt: minutesAgo(-2) }), NOW)).toEqual({ sinceCreatedMin: 0, sinceStateMin: 0 });
  });

  it('sorts overdue ones first among the unfinished of the same priority, finished ones last', () => {
    const fresh = task({ id: 'fresh', createdAt: minutesAgo(1) });
    const late = task({ id: 'late', createdAt: minutesAgo(60), dueAt: minutesAgo(10) });
    const urgent = task({ id: 'urgent', priority: 'urgent', createdAt: minutesAgo(90) });
    const done = task({ id: 'done', state: 'done', createdAt: minutesAgo(0) });
    expect([done, fresh, late, urgent].sort((a, b) => compareTasks(a, b, NOW)).map((t) => t.id)).toEqual(['urgent', 'late', 'fresh', 'done']);
  });
});
