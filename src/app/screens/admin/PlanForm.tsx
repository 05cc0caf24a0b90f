import type { Plan } from '../../../domain/checkpoints.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { checkpoints, deletePlan, localName, savePlan, squads, zones } from './admin-store.js';
import { checkPlan, type PlanDraft } from './drafts.js';
import { EditorFooter, useEditor } from './editor.js';

const LABELS: Readonly<Record<string, MessageKey>> = {
  squadId: 'admin.plan.squad',
  'name.zh-CN': 'admin.nameZh',
  'name.en': 'admin.nameEn',
  checkpointIds: 'admin.plan.checkpoints',
  rule: 'admin.plan.rule',
  'rule.everyMin': 'admin.plan.everyMin',
  'rule.from': 'admin.plan.from',
  'rule.to': 'admin.plan.to',
  'rule.times': 'admin.plan.times',
};

interface Props {
  draft: PlanDraft;
  onChange: (draft: PlanDraft) => void;
  onSaved: (plan: Plan) => void;
  onDeleted: () => void;
  onClose: () => void;
}

/** Which checkpoints a squad must visit and how often; only checkpoints in that squad's zones are offered. */
export function PlanForm({ draft, onChange, onSaved, onDeleted, onClose }: Props) {
  const editor = useEditor<HTMLSelectElement>(draft.id);
  const { problems, saved, save, firstField } = editor;

  const set = (patch: Partial<PlanDraft>) => {
    saved.value = false;
    onChange({ ...draft, ...patch });
  };
  const inSquad = (squadId: string) => {
    const squadZones = new Set(zones.value.filter((z) => z.squadId === squadId).map((z) => z.id));
    return checkpoints.value.filter((c) => squadZones.has(c.zoneId));
  };
  const offered = inSquad(draft.squadId);
  const changeSquad = (squadId: string) => {
    // Another squad's checkpoints would be refused by the server; drop them with the switch.
    const allowed = new Set(inSquad(squadId).map((c) => c.id));
    set({ squadId, checkpointIds: draft.checkpointIds.filter((id) => allowed.has(id)) });
  };
  const toggle = (id: string) =>
    set({ checkpointIds: draft.checkpointIds.includes(id) ? draft.checkpointIds.filter((x) => x !== id) : [...draft.checkpointIds, id] });

  function submit(event: Event) {
    event.preventDefault();
    const checked = checkPlan(draft);
    problems.value = checked.ok ? [] : checked.problems;
    if (!checked.ok) return;
    void save.run(async () => {
      const result = await savePlan(checked.value, draft.isNew);
      saved.value = true;
      onSaved(result);
    });
  }

  const title = t(draft.isNew ? 'admin.plan.newTitle' : 'admin.plan.editTitle');
  return (
    <form class="panel stack admin-form" onSubmit={submit} aria-label={title} data-testid="plan-form">
      <h3>{title}</h3>
      <label>
        {t('admin.plan.squad')}
        <select ref={firstField} name="squadId" value={draft.squadId} onChange={(e) => changeSquad(e.currentTarget.value)}>
          {squads.value.map((s) => (
            <option key={s.id} value={s.id}>
              {localName(s.name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.nameZh')}
        <input name="nameZh" maxLength={100} value={draft.nameZh} onInput={(e) => set({ nameZh: e.currentTarget.value })} />
      </label>
      <label>
        {t('admin.nameEn')}
        <input name="nameEn" maxLength={100} value={draft.nameEn} onInput={(e) => set({ nameEn: e.currentTarget.value })} />
      </label>
      <fieldset>
        <legend>{t('admin.plan.checkpoints')}</legend>
        {offered.length === 0 && <p class="muted">{t('admin.plan.noCheckpoints')}</p>}
        <div class="check-columns">
          {offered.map((c) => (
            <label key={c.id} class="check">
              <input type="checkbox" checked={draft.checkpointIds.includes(c.id)} onChange={() => toggle(c.id)} /> {localName(c.name)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('admin.plan.rule')}</legend>
        <label class="check">
          <input type="radio" name="ruleKind" checked={draft.ruleKind === 'interval'} onChange={() => set({ ruleKind: 'interval' })} />{' '}
          {t('admin.plan.ruleInterval')}
        </label>
        {draft.ruleKind === 'interval' && (
          <div class="row">
            <label>
              {t('admin.plan.everyMin')}
              <input
                name="everyMin"
                type="number"
                min={10}
                max={1440}
                step={1}
                value={draft.everyMin}
                onInput={(e) => set({ everyMin: e.currentTarget.value })}
              />
            </label>
            <label>
              {t('admin.plan.from')}
              <input name="from" type="time" value={draft.from} onInput={(e) => set({ from: e.currentTarget.value })} />
            </label>
            <label>
              {t('admin.plan.to')}
              <input name="to" type="time" value={draft.to} onInput={(e) => set({ to: e.currentTarget.value })} />
            </label>
          </div>
        )}
        <label class="check">
          <input type="radio" name="ruleKind" checked={draft.ruleKind === 'per-shift'} onChange={() => set({ ruleKind: 'per-shift' })} />{' '}
          {t('admin.plan.rulePerShift')}
        </label>
        {draft.ruleKind === 'per-shift' && (
          <label>
            {t('admin.plan.times')}
            <input name="times" type="number" min={1} max={48} step={1} value={draft.times} onInput={(e) => set({ times: e.currentTarget.value })} />
          </label>
        )}
      </fieldset>
      <EditorFooter editor={editor} labels={LABELS} draft={draft} onClose={onClose} deleteItem={deletePlan} onDeleted={onDeleted} />
    </form>
  );
}
