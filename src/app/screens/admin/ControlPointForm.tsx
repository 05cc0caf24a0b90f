import { CONTROL_POINT_KINDS, type ControlPoint, type ControlPointKind } from '../../../domain/control-points.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { deleteControlPoint, saveControlPoint } from './admin-store.js';
import { checkControlPoint, type ControlPointDraft } from './drafts.js';
import { EditorFooter, useEditor } from './editor.js';

/** Catalog label of each control point kind. */
export const KIND_KEYS: Readonly<Record<ControlPointKind, MessageKey>> = {
  road: 'ctl.kind.road',
  bridge: 'ctl.kind.bridge',
  toll: 'ctl.kind.toll',
  station: 'ctl.kind.station',
  ferry: 'ctl.kind.ferry',
};

/** Which field a schema path is about, to name it in the problem list. */
const LABELS: Readonly<Record<string, MessageKey>> = {
  'name.zh-CN': 'admin.nameZh',
  'name.en': 'admin.nameEn',
  kind: 'ctl.kind',
  lon: 'ctl.lon',
  lat: 'ctl.lat',
};

interface Props {
  draft: ControlPointDraft;
  onChange: (draft: ControlPointDraft) => void;
  /** True while the next map click moves the point. */
  moving: boolean;
  onMove: () => void;
  onSaved: (point: ControlPoint) => void;
  onDeleted: () => void;
  onClose: () => void;
}

/** Edits one control point's names, kind, position and whether that position is only approximate; saves or deletes it. */
export function ControlPointForm({ draft, onChange, moving, onMove, onSaved, onDeleted, onClose }: Props) {
  const editor = useEditor<HTMLInputElement>(draft.id);
  const { problems, saved, save, firstField } = editor;
  const set = (patch: Partial<ControlPointDraft>) => {
    saved.value = false;
    onChange({ ...draft, ...patch });
  };

  function submit(event: Event) {
    event.preventDefault();
    const checked = checkControlPoint(draft);
    problems.value = checked.ok ? [] : checked.problems;
    if (!checked.ok) return;
    void save.run(async () => {
      const result = await saveControlPoint(checked.value, draft.isNew);
      saved.value = true;
      onSaved(result);
    });
  }

  const title = t(draft.isNew ? 'ctl.newTitle' : 'ctl.editTitle');
  return (
    <form class="panel stack admin-form" onSubmit={submit} aria-label={title} data-testid="control-point-form">
      <h3>{title}</h3>
      <label>
        {t('admin.nameZh')}
        <input ref={firstField} name="nameZh" maxLength={100} value={draft.nameZh} onInput={(e) => set({ nameZh: e.currentTarget.value })} />
      </label>
      <label>
        {t('admin.nameEn')}
        <input name="nameEn" maxLength={100} value={draft.nameEn} onInput={(e) => set({ nameEn: e.currentTarget.value })} />
      </label>
      <label>
        {t('ctl.kind')}
        <select name="kind" value={draft.kind} onChange={(e) => set({ kind: CONTROL_POINT_KINDS.find((k) => k === e.currentTarget.value) ?? 'road' })}>
          {CONTROL_POINT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(KIND_KEYS[k])}
            </option>
          ))}
        </select>
      </label>
      <div class="row">
        <label>
          {t('ctl.lon')}
          <input name="lon" type="number" step="any" value={draft.lon} onInput={(e) => set({ lon: e.currentTarget.value })} />
        </label>
        <label>
          {t('ctl.lat')}
          <input name="lat" type="number" step="any" value={draft.lat} onInput={(e) => set({ lat: e.currentTarget.value })} />
        </label>
      </div>
      <button type="button" aria-pressed={moving} onClick={onMove}>
        {t('ctl.setPosition')}
      </button>
      {moving && (
        <p class="hint" role="status">
          {t('ctl.moveHint')}
        </p>
      )}
      <label class="check">
        <input name="approximate" type="checkbox" checked={draft.approximate} onChange={(e) => set({ approximate: e.currentTarget.checked })} />
        {t('ctl.approximate')}
      </label>
      <EditorFooter editor={editor} labels={LABELS} draft={draft} onClose={onClose} deleteItem={deleteControlPoint} onDeleted={onDeleted} />
    </form>
  );
}
