import { t, type MessageKey } from '../../i18n/index.js';
import { deleteZone, localName, saveZone, squads } from './admin-store.js';
import { checkZone, type ZoneDraft } from './drafts.js';
import { EditorFooter, useEditor } from './editor.js';
import type { AdminZone } from '../../../domain/protocol/admin.js';

/** Which field a schema path is about, to name it in the problem list. */
const LABELS: Readonly<Record<string, MessageKey>> = {
  'name.zh-CN': 'admin.nameZh',
  'name.en': 'admin.nameEn',
  name: 'admin.nameZh',
  squadId: 'zones.squad',
  population: 'zones.population',
  polygon: 'zones.outline',
};

interface Props {
  draft: ZoneDraft;
  onChange: (draft: ZoneDraft) => void;
  onSaved: (zone: AdminZone) => void;
  onDeleted: () => void;
  onClose: () => void;
}

/**
 * Edits one zone's squad, names and population (its outline is drawn on the map, with the tools
 * under it: OutlineTools). Checked by the server's schema before it is sent; saves or deletes it
 * on the server, whose refusals (a zone with checkpoints) show here.
 */
export function ZoneForm({ draft, onChange, onSaved, onDeleted, onClose }: Props) {
  const editor = useEditor<HTMLInputElement>(draft.id);
  const { problems, saved, save, firstField } = editor;
  const set = (patch: Partial<ZoneDraft>) => {
    saved.value = false;
    onChange({ ...draft, ...patch });
  };

  function submit(event: Event) {
    event.preventDefault();
    const checked = checkZone(draft);
    problems.value = checked.ok ? [] : checked.problems;
    if (!checked.ok) return;
    set({ closed: true });
    void save.run(async () => {
      const result = await saveZone(checked.value, draft.isNew);
      saved.value = true;
      onSaved(result);
    });
  }

  const title = t(draft.isNew ? 'zones.newTitle' : 'zones.editTitle');
  return (
    // noValidate: the schema, not the browser, says what is wrong, in the list beside the fields.
    <form class="panel stack admin-form" noValidate onSubmit={submit} aria-label={title} data-testid="zone-form">
      <h3>{title}</h3>
      <label>
        {t('zones.squad')}
        <select name="squadId" value={draft.squadId} onChange={(e) => set({ squadId: e.currentTarget.value })}>
          {squads.value.map((s) => (
            <option key={s.id} value={s.id}>
              {localName(s.name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.nameZh')}
        <input ref={firstField} name="nameZh" maxLength={100} value={draft.nameZh} onInput={(e) => set({ nameZh: e.currentTarget.value })} />
      </label>
      <label>
        {t('admin.nameEn')}
        <input name="nameEn" maxLength={100} value={draft.nameEn} onInput={(e) => set({ nameEn: e.currentTarget.value })} />
      </label>
      <label>
        {t('zones.population')}
        <input
          name="population"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={draft.population}
          onInput={(e) => set({ population: e.currentTarget.value })}
        />
      </label>
      <EditorFooter editor={editor} labels={LABELS} draft={draft} onClose={onClose} deleteItem={deleteZone} onDeleted={onDeleted} />
    </form>
  );
}

/** Under the map while a zone is open: how many corners, what a tap does, and undo the last corner, clear, close the ring. */
export function OutlineTools({ draft, onChange }: { draft: ZoneDraft; onChange: (draft: ZoneDraft) => void }) {
  const corners = draft.outline.length;
  return (
    <div class="zone-outline stack" role="group" aria-label={t('zones.outline')} data-testid="zone-outline">
      <p class="hint" role="status">
        {t('zones.corners', { n: corners })} · {t(draft.closed ? 'zones.closedNote' : 'zones.drawHint')}
      </p>
      <div class="row">
        <button type="button" disabled={corners === 0} onClick={() => onChange({ ...draft, outline: draft.outline.slice(0, -1), closed: false })}>
          {t('zones.undo')}
        </button>
        <button type="button" disabled={corners === 0} onClick={() => onChange({ ...draft, outline: [], closed: false, holes: [] })}>
          {t('zones.clear')}
        </button>
        <button type="button" class="primary" disabled={draft.closed || corners < 3} onClick={() => onChange({ ...draft, closed: true })}>
          {t('zones.close')}
        </button>
      </div>
    </div>
  );
}
