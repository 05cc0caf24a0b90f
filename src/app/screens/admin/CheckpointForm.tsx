import { CHECKPOINT_TYPES, type Checkpoint, type CheckpointType } from '../../../domain/checkpoints.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { deleteCheckpoint, localName, saveCheckpoint, squads, zones } from './admin-store.js';
import { checkCheckpoint, type CheckpointDraft } from './drafts.js';
import { EditorFooter, useEditor } from './editor.js';

/** Catalog label of each checkpoint type. */
export const TYPE_KEYS: Readonly<Record<CheckpointType, MessageKey>> = {
  bank: 'cpType.bank',
  school: 'cpType.school',
  hospital: 'cpType.hospital',
  market: 'cpType.market',
  community: 'cpType.community',
  transport: 'cpType.transport',
  government: 'cpType.government',
  other: 'cpType.other',
};

/** Which field a schema path is about, to name it in the problem list. */
const LABELS: Readonly<Record<string, MessageKey>> = {
  'name.zh-CN': 'admin.nameZh',
  'name.en': 'admin.nameEn',
  type: 'admin.cp.type',
  zoneId: 'admin.cp.zone',
  minDwellS: 'admin.cp.dwell',
  shape: 'admin.cp.shape',
  'shape.radiusM': 'admin.cp.radius',
  'shape.center': 'admin.cp.center',
  'shape.center.0': 'admin.cp.lon',
  'shape.center.1': 'admin.cp.lat',
};

interface Props {
  draft: CheckpointDraft;
  onChange: (draft: CheckpointDraft) => void;
  /** True while the next map click moves the centre. */
  moving: boolean;
  onMove: () => void;
  onSaved: (checkpoint: Checkpoint) => void;
  onDeleted: () => void;
  onClose: () => void;
}

/** Edits one checkpoint's attributes (and a circle's centre and radius); saves or deletes it on the server. */
export function CheckpointForm({ draft, onChange, moving, onMove, onSaved, onDeleted, onClose }: Props) {
  const editor = useEditor<HTMLInputElement>(draft.id);
  const { problems, saved, save, firstField } = editor;

  const set = (patch: Partial<CheckpointDraft>) => {
    saved.value = false;
    onChange({ ...draft, ...patch });
  };
  const circle = draft.shape.kind === 'circle' ? draft.shape : null;
  const setCircle = (patch: Partial<{ lon: string; lat: string; radiusM: string }>) => circle && set({ shape: { ...circle, ...patch } });

  function submit(event: Event) {
    event.preventDefault();
    const checked = checkCheckpoint(draft);
    problems.value = checked.ok ? [] : checked.problems;
    if (!checked.ok) return;
    void save.run(async () => {
      const result = await saveCheckpoint(checked.value, draft.isNew);
      saved.value = true;
      onSaved(result);
    });
  }

  const squadName = (squadId: string) => {
    const squad = squads.value.find((s) => s.id === squadId);
    return squad ? localName(squad.name) : squadId;
  };
  return (
    <form
      class="panel stack admin-form"
      onSubmit={submit}
      aria-label={t(draft.isNew ? 'admin.cp.newTitle' : 'admin.cp.editTitle')}
      data-testid="checkpoint-form"
    >
      <h3>{t(draft.isNew ? 'admin.cp.newTitle' : 'admin.cp.editTitle')}</h3>
      <label>
        {t('admin.nameZh')}
        <input ref={firstField} name="nameZh" maxLength={100} value={draft.nameZh} onInput={(e) => set({ nameZh: e.currentTarget.value })} />
      </label>
      <label>
        {t('admin.nameEn')}
        <input name="nameEn" maxLength={100} value={draft.nameEn} onInput={(e) => set({ nameEn: e.currentTarget.value })} />
      </label>
      <label>
        {t('admin.cp.type')}
        <select name="type" value={draft.type} onChange={(e) => set({ type: CHECKPOINT_TYPES.find((k) => k === e.currentTarget.value) ?? 'other' })}>
          {CHECKPOINT_TYPES.map((k) => (
            <option key={k} value={k}>
              {t(TYPE_KEYS[k])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.cp.zone')}
        <select name="zoneId" value={draft.zoneId} onChange={(e) => set({ zoneId: e.currentTarget.value })}>
          {zones.value.map((z) => (
            <option key={z.id} value={z.id}>
              {localName(z.name)} · {squadName(z.squadId)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.cp.dwell')}
        <input
          name="minDwellS"
          type="number"
          inputMode="numeric"
          min={0}
          max={3600}
          step={1}
          value={draft.minDwellS}
          onInput={(e) => set({ minDwellS: e.currentTarget.value })}
        />
      </label>
      {circle ? (
        <fieldset>
          <legend>{t('admin.cp.circle', { r: circle.radiusM })}</legend>
          <label>
            {t('admin.cp.radius')}
            <input
              name="radiusM"
              type="number"
              min={5}
              max={2000}
              step={1}
              value={circle.radiusM}
              onInput={(e) => setCircle({ radiusM: e.currentTarget.value })}
            />
          </label>
          <div class="row">
            <label>
              {t('admin.cp.lon')}
              <input name="lon" type="number" step="any" value={circle.lon} onInput={(e) => setCircle({ lon: e.currentTarget.value })} />
            </label>
            <label>
              {t('admin.cp.lat')}
              <input name="lat" type="number" step="any" value={circle.lat} onInput={(e) => setCircle({ lat: e.currentTarget.value })} />
            </label>
          </div>
          <button type="button" aria-pressed={moving} onClick={onMove}>
            {t('admin.cp.setCentre')}
          </button>
          {moving && (
            <p class="hint" role="status">
              {t('admin.cp.moveHint')}
            </p>
          )}
        </fieldset>
      ) : (
        <p class="muted">{t('admin.cp.polygonNote')}</p>
      )}
      <EditorFooter editor={editor} labels={LABELS} draft={draft} onClose={onClose} deleteItem={deleteCheckpoint} onDeleted={onDeleted} />
    </form>
  );
}
