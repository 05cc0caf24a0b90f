import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { arrivalOf, isFinished, isOverdue, taskAges, taskMark, taskTarget, type Task, type TasksResponse } from '../../../domain/tasks.js';
import { api } from '../../../store/api.js';
import { formatDuration, formatTime, t, type MessageKey } from '../../i18n/index.js';
import { LazyTaskMap } from '../../map/LazyMap.js';
import { MARK_COLOURS } from '../../map/task-marks.js';
import { zones } from '../../state/local-copies.js';
import { useAction } from '../../state/use-action.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { arrivalText, KIND_KEYS, MARK_KEYS, OUTCOME_KEYS, STATE_KEYS } from '../task-text.js';
import { AssigneePicker } from './assignees.js';
import { TaskForm } from './TaskForm.js';

const REFRESH_MS = 60_000;
/** Elapsed times are whole minutes: the board's clock ticks once a minute between refreshes. */
const CLOCK_MS = 60_000;
const GROUPS: ReadonlyArray<{ key: MessageKey; states: readonly Task['state'][] }> = [
  { key: 'board.waiting', states: ['open', 'assigned', 'declined'] },
  { key: 'board.working', states: ['accepted', 'en-route', 'on-scene'] },
  { key: 'board.finished', states: ['done', 'cancelled'] },
];
const MARKS = Object.keys(MARK_KEYS) as Array<keyof typeof MARK_KEYS>;

/**
 * The squad's (or unit's) tasks by state, overdue and urgent first, live, each with how long it
 * has waited; optionally on a map where tapping a task finds its card; and the form to send one.
 */
export function TaskBoard() {
  const { data, offline } = usePolledApi<TasksResponse>('/api/tasks', REFRESH_MS, ['task']);
  const creating = useSignal(false);
  const view = useSignal<'list' | 'map'>('list');
  const selected = useSignal<string | null>(null);
  const now = useMinuteClock();
  const list = data.value?.tasks ?? null;
  const reload = async () => (data.value = await api<TasksResponse>('/api/tasks'));
  return (
    <section class="panel" aria-label={t('board.title')} data-testid="task-board">
      <h2>{t('board.title')}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {creating.value ? (
        <TaskForm onDone={() => ((creating.value = false), void reload())} />
      ) : (
        <button type="button" class="primary" onClick={() => (creating.value = true)}>
          {t('board.new')}
        </button>
      )}
      {list && list.length === 0 && <p class="muted">{t('board.none')}</p>}
      {list && list.length > 0 && (
        <div class="board-view" role="group" aria-label={t('board.view')}>
          {(['list', 'map'] as const).map((v) => (
            <button key={v} type="button" aria-pressed={view.value === v} onClick={() => (view.value = v)}>
              {t(v === 'list' ? 'board.view.list' : 'board.view.map')}
            </button>
          ))}
        </div>
      )}
      {list && list.length > 0 && view.value === 'map' && (
        <BoardMap tasks={list} now={now} selected={selected.value} onSelect={(id) => (selected.value = id)} />
      )}
      {list &&
        GROUPS.map(({ key, states }) => {
          const group = list.filter((task) => states.includes(task.state));
          return (
            group.length > 0 && (
              <div key={key} data-group={key}>
                <h3>
                  {t(key)} · {group.length}
                </h3>
                <ul class="task-list">
                  {group.map((task) => (
                    <BoardItem key={task.id} task={task} now={now} selected={selected.value === task.id} onChanged={reload} />
                  ))}
                </ul>
              </div>
            )
          );
        })}
    </section>
  );
}

/** Now, in milliseconds, re-read once a minute so elapsed times and overdue marks move on their own. */
function useMinuteClock(): number {
  const now = useSignal(Date.now());
  useEffect(() => {
    const timer = setInterval(() => (now.value = Date.now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  return now.value;
}

/** The map of unfinished tasks, its colour legend, and how many have no place to show. */
function BoardMap({ tasks, now, selected, onSelect }: { tasks: readonly Task[]; now: number; selected: string | null; onSelect: (id: string) => void }) {
  const unplaced = tasks.filter((task) => !isFinished(task.state) && !taskTarget(task)).length;
  return (
    <div class="board-map">
      <LazyTaskMap zones={zones.value} tasks={tasks} now={now} selected={selected} onSelect={onSelect} />
      <ul class="map-legend">
        {MARKS.map((mark) => (
          <li key={mark} style={`--mark: ${MARK_COLOURS[mark]}`}>
            {t(MARK_KEYS[mark])}
          </li>
        ))}
      </ul>
      {unplaced > 0 && <p class="muted">{t('board.noPlace', { n: unplaced })}</p>}
    </div>
  );
}

function BoardItem({ task, now, selected, onChanged }: { task: Task; now: number; selected: boolean; onChanged: () => Promise<unknown> }) {
  const { busy, run } = useAction();
  const reassigning = useSignal(false);
  const card = useRef<HTMLLIElement>(null);
  // Tapped on the map: bring the card into view (the map sits above the list).
  useEffect(() => {
    if (selected) card.current?.scrollIntoView({ block: 'center' });
  }, [selected]);
  const overdue = isOverdue(task, now);
  const ages = taskAges(task, now);
  const holder = task.holder?.name ?? (task.assignee.to === 'officer' ? task.assignee.officerName : t('form.squad'));
  const who = task.assignee.to === 'officer' && task.assignee.shiftId && !isFinished(task.state) ? t('board.onShift', { name: holder }) : holder;
  const last = task.updates.at(-1);
  const arrival = arrivalOf(task.updates);
  const act = (path: string, body?: unknown) =>
    run(async () => {
      await api(path, { method: 'POST', ...(body ? { body } : {}) });
      reassigning.value = false;
      await onChanged();
    });
  return (
    <li
      ref={card}
      class="task"
      data-task={task.id}
      data-state={task.state}
      data-overdue={overdue ? 'yes' : 'no'}
      data-mark={taskMark(task, now) ?? undefined}
      data-selected={selected ? 'yes' : undefined}
    >
      <div class="task-head">
        {task.priority === 'urgent' && <span class="badge-bad">{t('task.urgent')}</span>}
        {overdue && <span class="badge-bad">{t('board.overdue')}</span>}
        <strong>{task.title}</strong>
      </div>
      <div class="muted">
        {t(KIND_KEYS[task.kind])} · {who} · <span data-testid="task-state">{t(STATE_KEYS[task.state])}</span>
      </div>
      <div class="muted task-ages" data-testid="task-ages" data-created-min={ages.sinceCreatedMin} data-state-min={ages.sinceStateMin}>
        {t('board.age', { duration: formatDuration(ages.sinceCreatedMin) })}
        {!isFinished(task.state) && ` · ${t('board.stateAge', { duration: formatDuration(ages.sinceStateMin) })}`}
      </div>
      {arrival && (
        <div class="muted" data-testid="task-arrival" data-method={arrival.method} data-check={arrival.arrival ?? ''}>
          {t('lockdown.arrived', { time: formatTime(arrival.at) })} · {arrivalText(arrival.method, arrival.arrival)}
        </div>
      )}
      {last && (
        <div class="muted">
          {t('board.updates')}: {last.officerName} {t(STATE_KEYS[last.state])} {formatTime(last.at)}
          {last.outcome !== 'applied' && ` · ${t(OUTCOME_KEYS[last.outcome], { state: t(STATE_KEYS[last.state]) })}`}
          {last.note && ` · ${last.note}`}
          {last.reason && last.outcome === 'applied' && ` · ${last.reason}`}
        </div>
      )}
      {!isFinished(task.state) &&
        (reassigning.value ? (
          <AssigneePicker
            onPick={(assignee) => void act(`/api/tasks/${task.id}/reassign`, { assignee })}
            onCancel={() => (reassigning.value = false)}
            busy={busy.value}
          />
        ) : (
          <div class="task-actions">
            <button type="button" disabled={busy.value} onClick={() => (reassigning.value = true)}>
              {t('board.reassign')}
            </button>
            <button
              type="button"
              disabled={busy.value}
              onClick={() => confirm(t('board.confirmCancel', { title: task.title })) && void act(`/api/tasks/${task.id}/cancel`)}
            >
              {t('board.cancel')}
            </button>
          </div>
        ))}
    </li>
  );
}
