import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { distanceAndSector, isFinished, taskTarget, type Task, type TaskUpdateState } from '../../../domain/tasks.js';
import { formatTime, t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import { syncStatus } from '../../state/sync.js';
import { announceNewTasks, loadUnsentTaskUpdates, myTasks, recheckUnsentTaskUpdates, shownState, updateTask } from '../../state/tasks.js';
import { route } from '../../state/tracking.js';
import { useAction } from '../../state/use-action.js';
import { STATE_KEYS, KIND_KEYS, OUTCOME_KEYS, SECTOR_KEYS } from '../task-text.js';

/** What an officer may say next, from where the task stands. */
const NEXT: Partial<Record<string, readonly TaskUpdateState[]>> = {
  open: ['accepted'],
  assigned: ['accepted', 'declined'],
  accepted: ['en-route', 'on-scene', 'done'],
  'en-route': ['on-scene', 'done'],
  'on-scene': ['done'],
};
const ACTION_KEYS = {
  accepted: 'task.accept',
  declined: 'task.decline',
  'en-route': 'task.enRoute',
  'on-scene': 'task.onScene',
  done: 'task.done',
} as const;

/** The officer's tasks, newest urgent first, each with distance and direction, worked offline through signed updates. */
export function MyTasks({ user }: { user: SessionUser }) {
  const list = myTasks.value;
  useEffect(() => void loadUnsentTaskUpdates(user.id).catch(reportError), [user.id]);
  // Acknowledged updates leave the outbox: the count changing is the moment to re-read.
  useEffect(() => recheckUnsentTaskUpdates(user.id), [syncStatus.value.waiting]);
  useEffect(() => void announceNewTasks(user.id, list).catch(reportError), [list]);
  return (
    <section class="panel" aria-label={t('task.mine')} data-testid="my-tasks">
      <h2>{t('task.mine')}</h2>
      {list.length === 0 && <p class="muted">{t('task.none')}</p>}
      <ul class="task-list">
        {list.map((task) => (
          <TaskItem key={task.id} user={user} task={task} />
        ))}
      </ul>
    </section>
  );
}

function TaskItem({ user, task }: { user: SessionUser; task: Task }) {
  const { state, unsent } = shownState(task);
  const form = useSignal<'declined' | 'done' | null>(null);
  const text = useSignal('');
  const { busy, run } = useAction();
  const here = route.value.findLast((p) => p.kind === 'fix');
  const target = taskTarget(task);
  const way = here && target ? distanceAndSector(here, target) : null;
  const mine = task.holder?.id === user.id || task.assignee.to === 'squad';
  const myLatest = [...task.updates].reverse().find((u) => u.officerId === user.id);
  const next = mine && !isFinished(task.state) ? (NEXT[state] ?? []) : [];

  const say = (to: TaskUpdateState, extra: { reason?: string; note?: string } = {}) =>
    run(async () => {
      await updateTask(user.id, task, to, extra);
      form.value = null;
      text.value = '';
    });

  return (
    <li class="task" data-task={task.id} data-state={state} data-priority={task.priority}>
      <div class="task-head">
        {task.priority === 'urgent' && <span class="badge-bad">{t('task.urgent')}</span>}
        <strong>{task.title}</strong>
      </div>
      <div class="muted">
        {t(KIND_KEYS[task.kind])} · {t(STATE_KEYS[state])}
        {unsent && ` · ${t('task.unsent')}`}
        {task.dueAt && ` · ${t('task.due', { time: formatTime(task.dueAt) })}`}
      </div>
      {way && (
        <div class="task-way" data-distance-m={Math.round(way.distanceM)}>
          {t('task.way', { distance: formatDistance(way.distanceM), direction: t(SECTOR_KEYS[way.sector] ?? 'dir.n') })}
        </div>
      )}
      {task.details && <p>{task.details}</p>}
      {task.assignee.to === 'squad' && task.holder && task.holder.id !== user.id && <p class="form-error">{t('task.takenBy', { name: task.holder.name })}</p>}
      {task.assignee.to === 'officer' && task.assignee.officerId !== user.id && (
        <p class="form-error" data-testid="task-reassigned">
          {t('task.reassignedTo', { name: task.assignee.officerName })}
        </p>
      )}
      {task.state === 'cancelled' && <p class="form-error">{t('task.cancelled')}</p>}
      {myLatest && myLatest.outcome !== 'applied' && (
        <p class="form-error" data-testid="task-outcome">
          {t(OUTCOME_KEYS[myLatest.outcome], { state: t(STATE_KEYS[myLatest.state]) })}
        </p>
      )}
      {form.value ? (
        <form
          class="stack"
          onSubmit={(event) => {
            event.preventDefault();
            if (form.value === 'declined') void say('declined', { reason: text.value });
            else void say('done', text.value.trim() ? { note: text.value } : {});
          }}
        >
          <label>
            {t(form.value === 'declined' ? 'task.declineReason' : 'task.doneNote')}
            <input
              type="text"
              maxLength={form.value === 'declined' ? 500 : 1000}
              required={form.value === 'declined'}
              value={text.value}
              onInput={(e) => (text.value = e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary" disabled={busy.value}>
            {t(ACTION_KEYS[form.value])}
          </button>
          <button type="button" onClick={() => (form.value = null)}>
            {t('checkin.cancel')}
          </button>
        </form>
      ) : (
        next.length > 0 && (
          <div class="task-actions">
            {next.map((to) => (
              <button
                key={to}
                type="button"
                class={to === 'declined' ? '' : 'primary'}
                disabled={busy.value}
                onClick={() => (to === 'declined' || to === 'done' ? (form.value = to) : void say(to))}
              >
                {t(ACTION_KEYS[to])}
              </button>
            ))}
          </div>
        )
      )}
    </li>
  );
}

function formatDistance(m: number): string {
  return m < 1000 ? t('unit.m', { n: Math.round(m) }) : t('unit.km', { n: (m / 1000).toFixed(1) });
}
