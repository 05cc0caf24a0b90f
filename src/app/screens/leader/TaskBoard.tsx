import { useSignal, type Signal } from '@preact/signals';
import { arrivalOf, isFinished, TASK_KINDS, type Task, type TaskAssignee, type TaskKind, type TasksResponse } from '../../../domain/tasks.js';
import { api } from '../../../store/api.js';
import { formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { checkpoints, squadMembers } from '../../state/local-copies.js';
import { notify } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { arrivalText, KIND_KEYS, OUTCOME_KEYS, STATE_KEYS } from '../task-text.js';

const REFRESH_MS = 60_000;
const GROUPS: ReadonlyArray<{ key: MessageKey; states: readonly Task['state'][] }> = [
  { key: 'board.waiting', states: ['open', 'assigned', 'declined'] },
  { key: 'board.working', states: ['accepted', 'en-route', 'on-scene'] },
  { key: 'board.finished', states: ['done', 'cancelled'] },
];

/** The squad's (or unit's) tasks by state, overdue and urgent first, live; and the form to send one. */
export function TaskBoard() {
  const { data, offline } = usePolledApi<TasksResponse>('/api/tasks', REFRESH_MS, ['task']);
  const creating = useSignal(false);
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
                    <BoardItem key={task.id} task={task} onChanged={reload} />
                  ))}
                </ul>
              </div>
            )
          );
        })}
    </section>
  );
}

function BoardItem({ task, onChanged }: { task: Task; onChanged: () => Promise<unknown> }) {
  const { busy, run } = useAction();
  const reassigning = useSignal(false);
  const now = Date.now();
  const overdue = !!task.dueAt && !isFinished(task.state) && Date.parse(task.dueAt) < now;
  const who = task.holder?.name ?? (task.assignee.to === 'officer' ? task.assignee.officerName : t('form.squad'));
  const last = task.updates.at(-1);
  const arrival = arrivalOf(task.updates);
  const act = (path: string, body?: unknown) =>
    run(async () => {
      await api(path, { method: 'POST', ...(body ? { body } : {}) });
      reassigning.value = false;
      await onChanged();
    });
  return (
    <li class="task" data-task={task.id} data-state={task.state} data-overdue={overdue ? 'yes' : 'no'}>
      <div class="task-head">
        {task.priority === 'urgent' && <span class="badge-bad">{t('task.urgent')}</span>}
        {overdue && <span class="badge-bad">{t('board.overdue')}</span>}
        <strong>{task.title}</strong>
      </div>
      <div class="muted">
        {t(KIND_KEYS[task.kind])} · {who} · <span data-testid="task-state">{t(STATE_KEYS[task.state])}</span> · {formatTime(task.stateAt)} ·{' '}
        {t('board.elapsed', { m: Math.max(0, Math.floor((now - Date.parse(task.createdAt)) / 60_000)) })}
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

/** Officers of the viewer's squad (or unit), and the squad itself for the first to accept. */
function assigneeOptions(): Array<{ value: string; label: string; assignee: TaskAssignee }> {
  const officers = squadMembers.value.filter((m) => m.role === 'officer' && m.squadId);
  const squads = [...new Set(officers.map((m) => m.squadId!))];
  return [
    ...officers.map((m) => ({ value: `officer:${m.id}`, label: `${m.name}（${m.badge}）`, assignee: { to: 'officer' as const, officerId: m.id } })),
    ...squads.map((id) => ({
      value: `squad:${id}`,
      label: squads.length > 1 ? `${t('form.squad')} ${id.slice(-4)}` : t('form.squad'),
      assignee: { to: 'squad' as const, squadId: id },
    })),
  ];
}

/** The "assign to" choice, shared by the new-task form and reassigning. */
function AssigneeSelect({ options, value }: { options: ReturnType<typeof assigneeOptions>; value: Signal<string> }) {
  return (
    <label>
      {t('form.assignee')}
      <select value={value.value} onChange={(e) => (value.value = e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function AssigneePicker({ onPick, onCancel, busy }: { onPick: (assignee: TaskAssignee) => void; onCancel: () => void; busy: boolean }) {
  const options = assigneeOptions();
  const chosen = useSignal(options[0]?.value ?? '');
  return (
    <div class="stack">
      <AssigneeSelect options={options} value={chosen} />
      <div class="task-actions">
        <button type="button" class="primary" disabled={busy} onClick={() => onPick(options.find((o) => o.value === chosen.value)!.assignee)}>
          {t('board.reassign')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
    </div>
  );
}

function TaskForm({ onDone }: { onDone: () => void }) {
  const options = assigneeOptions();
  const kind = useSignal<TaskKind>('goto');
  const title = useSignal('');
  const details = useSignal('');
  const urgent = useSignal(false);
  const assignee = useSignal(options[0]?.value ?? '');
  const place = useSignal('');
  const dueMin = useSignal('');
  const { busy, run } = useAction();
  const places = checkpoints.value;

  function submit(event: Event) {
    event.preventDefault();
    void run(async () => {
      const location = checkpoints.value.find((c) => c.id === place.value)?.shape ?? null;
      const minutes = Number(dueMin.value);
      await api('/api/tasks', {
        method: 'POST',
        body: {
          kind: kind.value,
          title: title.value,
          details: details.value,
          priority: urgent.value ? 'urgent' : 'normal',
          location,
          dueAt: dueMin.value && minutes > 0 ? new Date(Date.now() + minutes * 60_000).toISOString() : null,
          assignee: options.find((o) => o.value === assignee.value)?.assignee,
        },
      });
      notify('info', t('form.sent'));
      onDone();
    });
  }

  return (
    <form class="stack task-form" onSubmit={submit} aria-label={t('board.new')}>
      <label>
        {t('form.kind')}
        <select value={kind.value} onChange={(e) => (kind.value = e.currentTarget.value as TaskKind)}>
          {TASK_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(KIND_KEYS[k])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('form.title')}
        <input type="text" required maxLength={80} value={title.value} onInput={(e) => (title.value = e.currentTarget.value)} />
      </label>
      <label>
        {t('form.details')}
        <textarea maxLength={1000} rows={3} value={details.value} onInput={(e) => (details.value = e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={urgent.value} onChange={(e) => (urgent.value = e.currentTarget.checked)} />
        {t('form.urgent')}
      </label>
      <AssigneeSelect options={options} value={assignee} />
      <label>
        {t('form.location')}
        <select value={place.value} onChange={(e) => (place.value = e.currentTarget.value)}>
          <option value="">{t('form.noLocation')}</option>
          {places.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name[locale.value]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('form.due')}
        <input type="number" min={1} max={1440} inputMode="numeric" value={dueMin.value} onInput={(e) => (dueMin.value = e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy.value}>
        {t('form.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('form.cancel')}
      </button>
    </form>
  );
}
