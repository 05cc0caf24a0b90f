import { useSignal, type Signal } from '@preact/signals';
import type { OpenShiftsResponse } from '../../../domain/protocol/shifts.js';
import type { TaskAssignee } from '../../../domain/tasks.js';
import { formatTime, t, type MessageKey } from '../../i18n/index.js';
import { squadMembers } from '../../state/local-copies.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const SHIFTS_REFRESH_MS = 60_000;

interface AssigneeOption {
  value: string;
  label: string;
  assignee: TaskAssignee;
}

/** The choices grouped as the select shows them: officers, their open shifts, the squad. */
type AssigneeGroups = ReadonlyArray<{ key: MessageKey; options: AssigneeOption[] }>;

/**
 * Whom a task can go to: an officer of the squad (or unit), an officer's open shift (the same
 * list the open-shifts panel shows, kept fresh as shifts start and end), or the squad, where the
 * first to accept takes it.
 */
export function useAssigneeOptions(): AssigneeGroups {
  const { data } = usePolledApi<OpenShiftsResponse>('/api/shifts/open', SHIFTS_REFRESH_MS, ['shift']);
  const officers = squadMembers.value.filter((m) => m.role === 'officer' && m.squadId);
  const patrols = new Set(officers.map((m) => m.id));
  const squads = [...new Set(officers.map((m) => m.squadId!))];
  return [
    {
      key: 'form.officers',
      options: officers.map((m) => ({ value: `officer:${m.id}`, label: `${m.name}（${m.badge}）`, assignee: { to: 'officer', officerId: m.id } })),
    },
    {
      key: 'form.shifts',
      options: (data.value?.shifts ?? [])
        .filter((s) => patrols.has(s.officerId))
        .map((s) => ({
          value: `shift:${s.shiftId}`,
          label: t('form.shift', { name: s.name, badge: s.badge, time: formatTime(s.startedAt) }),
          assignee: { to: 'shift', shiftId: s.shiftId },
        })),
    },
    {
      key: 'form.squadGroup',
      options: squads.map((id) => ({
        value: `squad:${id}`,
        label: squads.length > 1 ? `${t('form.squad')} ${id.slice(-4)}` : t('form.squad'),
        assignee: { to: 'squad', squadId: id },
      })),
    },
  ].filter((group) => group.options.length > 0) as AssigneeGroups;
}

/** The assignee the select shows ('' chosen: its first choice); undefined until the choices have loaded. */
export function chosenAssignee(groups: AssigneeGroups, chosen: string): TaskAssignee | undefined {
  const value = chosen || firstAssignee(groups);
  return groups.flatMap((g) => g.options).find((o) => o.value === value)?.assignee;
}

function firstAssignee(groups: AssigneeGroups): string {
  return groups[0]?.options[0]?.value ?? '';
}

/** The "assign to" choice, shared by the new-task form and reassigning. */
export function AssigneeSelect({ groups, chosen }: { groups: AssigneeGroups; chosen: Signal<string> }) {
  return (
    <label>
      {t('form.assignee')}
      <select value={chosen.value || firstAssignee(groups)} onChange={(e) => (chosen.value = e.currentTarget.value)}>
        {groups.map((group) => (
          <optgroup key={group.key} label={t(group.key)}>
            {group.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

/** Reassigning a task on the board: the same choices, and a button to confirm. */
export function AssigneePicker({ onPick, onCancel, busy }: { onPick: (assignee: TaskAssignee) => void; onCancel: () => void; busy: boolean }) {
  const groups = useAssigneeOptions();
  const chosen = useSignal('');
  const assignee = chosenAssignee(groups, chosen.value);
  return (
    <div class="stack">
      <AssigneeSelect groups={groups} chosen={chosen} />
      <div class="task-actions">
        <button type="button" class="primary" disabled={busy || !assignee} onClick={() => assignee && onPick(assignee)}>
          {t('board.reassign')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
    </div>
  );
}
