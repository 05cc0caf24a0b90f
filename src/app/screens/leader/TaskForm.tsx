import { useSignal } from '@preact/signals';
import type { CheckpointShape } from '../../../domain/checkpoints.js';
import { TASK_KINDS, type TaskKind } from '../../../domain/tasks.js';
import { api } from '../../../store/api.js';
import { locale, t } from '../../i18n/index.js';
import { LazyPlaceMap } from '../../map/LazyMap.js';
import { checkpoints, zones } from '../../state/local-copies.js';
import { notify } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { KIND_KEYS } from '../task-text.js';
import { AssigneeSelect, chosenAssignee, useAssigneeOptions } from './assignees.js';

/** The place select's value for "tap the map"; any other non-empty value is a checkpoint's id. */
const ON_MAP = 'map';
/** A point picked on the map arrives within this radius unless the leader says otherwise. */
const DEFAULT_RADIUS_M = 50;
/** The task schema's bounds on a circle's radius (CheckpointShapeSchema). */
const RADIUS_BOUNDS_M = [5, 2000] as const;

/** Six decimals of a degree are about 10 cm: finer than a finger on a map, and no float noise stored. */
const roundDeg = (deg: number) => Math.round(deg * 1e6) / 1e6;

/** The new-task form: what, whom (an officer, an open shift or the squad), where (none, a checkpoint, or a point on the map), by when. */
/** What a task made from something else (an incident) starts with: its title, details and place. */
export interface TaskPreset {
  title: string;
  details: string;
  /** [lon, lat], set on the map; null when there is no point to go to. */
  point: [number, number] | null;
}

export function TaskForm({ onDone, preset }: { onDone: () => void; preset?: TaskPreset }) {
  const groups = useAssigneeOptions();
  const kind = useSignal<TaskKind>('goto');
  const title = useSignal(preset?.title.slice(0, 80) ?? '');
  const details = useSignal(preset?.details.slice(0, 1000) ?? '');
  const urgent = useSignal(false);
  const assignee = useSignal('');
  const place = useSignal(preset?.point ? ON_MAP : '');
  const picked = useSignal<[number, number] | null>(preset?.point ? [roundDeg(preset.point[0]), roundDeg(preset.point[1])] : null);
  const radius = useSignal(String(DEFAULT_RADIUS_M));
  const missingPlace = useSignal(false);
  const dueMin = useSignal('');
  const { busy, run } = useAction();

  const radiusM = Math.min(RADIUS_BOUNDS_M[1], Math.max(RADIUS_BOUNDS_M[0], Number(radius.value) || DEFAULT_RADIUS_M));
  const pickedShape: CheckpointShape | null = picked.value ? { kind: 'circle', center: picked.value, radiusM } : null;

  function submit(event: Event) {
    event.preventDefault();
    if (place.value === ON_MAP && !pickedShape) {
      missingPlace.value = true;
      return;
    }
    void run(async () => {
      const location = place.value === ON_MAP ? pickedShape : (checkpoints.value.find((c) => c.id === place.value)?.shape ?? null);
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
          assignee: chosenAssignee(groups, assignee.value),
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
      <AssigneeSelect groups={groups} chosen={assignee} />
      <label>
        {t('form.location')}
        <select value={place.value} onChange={(e) => ((place.value = e.currentTarget.value), (missingPlace.value = false))}>
          <option value="">{t('form.noLocation')}</option>
          <option value={ON_MAP}>{t('form.placeOnMap')}</option>
          {checkpoints.value.length > 0 && (
            <optgroup label={t('form.checkpoints')}>
              {checkpoints.value.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name[locale.value]}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {place.value === ON_MAP && (
        <div class="stack task-place" data-testid="task-place" data-picked={picked.value?.join(',') ?? ''}>
          <p class={missingPlace.value ? 'form-error' : 'muted'} role={missingPlace.value ? 'alert' : undefined}>
            {t(missingPlace.value ? 'form.placeMissing' : picked.value ? 'form.placeMoveHint' : 'form.placeHint')}
          </p>
          <LazyPlaceMap
            zones={zones.value}
            checkpoints={checkpoints.value}
            selection={pickedShape}
            placing
            zoomToSelection
            onClick={(at) => ((picked.value = [roundDeg(at[0]), roundDeg(at[1])]), (missingPlace.value = false))}
          />
          <label>
            {t('form.radius')}
            <input
              type="number"
              required
              min={RADIUS_BOUNDS_M[0]}
              max={RADIUS_BOUNDS_M[1]}
              step={5}
              inputMode="numeric"
              value={radius.value}
              onInput={(e) => (radius.value = e.currentTarget.value)}
            />
          </label>
        </div>
      )}
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
