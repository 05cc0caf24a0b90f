import { useSignal } from '@preact/signals';
import * as v from 'valibot';
import { INCIDENT_GROUPS, isBuiltInCategory, NewIncidentCategorySchema, type IncidentCategory, type IncidentSettings } from '../../../domain/incidents.js';
import { describeIssues } from '../../../domain/protocol/api.js';
import type { IncidentCategoriesResponse } from '../../../domain/protocol/incidents.js';
import { api } from '../../../store/api.js';
import { locale, t, type MessageKey } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const REFRESH_MS = 10 * 60_000;

/** How each index group is named where a category is given one. */
const GROUP_KEYS: Readonly<Record<IncidentCategory['group'], MessageKey>> = {
  'criminal-order': 'taxonomy.group.criminal-order',
  fire: 'taxonomy.group.fire',
  traffic: 'taxonomy.group.traffic',
  other: 'taxonomy.group.other',
};

const EMPTY = { code: '', nameZh: '', nameEn: '', group: 'other' as IncidentCategory['group'], preventable: false };

/**
 * The unit's incident taxonomy (issue 15): every category with the index group it counts in,
 * hidden from new reports or not; the admin adds the unit's own (code, Chinese and English names,
 * group, whether it counts per community like the preventable kinds) and hides or shows any.
 * Built-in categories are hidden at most: codes that records carry never go away. Officers'
 * devices get the changes by pull, so their form has them offline. Beside them, whether reports
 * record people's identity numbers.
 */
export function IncidentCategoriesPanel() {
  const { data } = usePolledApi<IncidentCategoriesResponse>('/api/admin/incident-categories', REFRESH_MS);
  const { data: settings } = usePolledApi<IncidentSettings>('/api/admin/incident-settings', REFRESH_MS);
  const draft = useSignal(EMPTY);
  const added = useSignal<string | null>(null);
  const add = useAction({ inline: true });
  const toggle = useAction();
  const categories = data.value?.categories ?? [];
  const reload = async () => (data.value = await api<IncidentCategoriesResponse>('/api/admin/incident-categories'));
  const set = (patch: Partial<typeof EMPTY>) => {
    added.value = null;
    draft.value = { ...draft.value, ...patch };
  };

  function submit(event: Event) {
    event.preventDefault();
    const d = draft.value;
    const parsed = v.safeParse(NewIncidentCategorySchema, {
      code: d.code.trim(),
      group: d.group,
      preventable: d.preventable,
      name: { 'zh-CN': d.nameZh, en: d.nameEn },
    });
    if (!parsed.success) {
      add.error.value = describeIssues(parsed.issues);
      return;
    }
    void add.run(async () => {
      await api('/api/admin/incident-categories', { method: 'POST', body: parsed.output });
      added.value = parsed.output.name[locale.value];
      draft.value = EMPTY;
      await reload();
    });
  }

  const setHidden = (category: IncidentCategory, hidden: boolean) =>
    void toggle.run(async () => {
      await api(`/api/admin/incident-categories/${encodeURIComponent(category.code)}/hidden`, { method: 'PUT', body: { hidden } });
      await reload();
    });

  // The box shows the choice at once (a controlled checkbox would spring back until the answer), and goes back if it fails.
  const setIdNumbers = (idNumbers: boolean) => {
    const before = settings.value;
    settings.value = { idNumbers };
    void toggle.run(async () => {
      try {
        settings.value = await api<IncidentSettings>('/api/admin/incident-settings', { method: 'PUT', body: { idNumbers } });
      } catch (failure) {
        settings.value = before;
        throw failure;
      }
    });
  };

  return (
    <>
      <section class="panel stack" aria-labelledby="taxonomy-title" data-testid="taxonomy-panel">
        <h2 id="taxonomy-title">{t('taxonomy.title')}</h2>
        <p class="muted">{t('taxonomy.hint')}</p>
        <ul class="taxonomy-list">
          {categories.map((c) => (
            <li key={c.code} data-category={c.code} data-hidden={c.hidden ? 'yes' : 'no'}>
              <div class="taxonomy-name">
                <strong>{c.name[locale.value]}</strong>
                <span class="muted"> · {locale.value === 'en' ? c.name['zh-CN'] : c.name.en}</span>
                <div class="muted taxonomy-meta">
                  <code>{c.code}</code> · {t(GROUP_KEYS[c.group])}
                  {c.preventable && <> · {t('taxonomy.preventable')}</>}
                  {isBuiltInCategory(c.code) && <> · {t('taxonomy.builtIn')}</>}
                  {c.hidden && <span class="badge-approx">{t('taxonomy.hidden')}</span>}
                </div>
              </div>
              <button type="button" disabled={toggle.busy.value} onClick={() => setHidden(c, !c.hidden)}>
                {t(c.hidden ? 'taxonomy.show' : 'taxonomy.hide')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section class="panel stack" aria-labelledby="id-numbers-title" data-testid="id-numbers-panel">
        <h2 id="id-numbers-title">{t('taxonomy.idNumbers.title')}</h2>
        <label class="check">
          <input
            type="checkbox"
            checked={settings.value?.idNumbers ?? false}
            disabled={!settings.value || toggle.busy.value}
            onChange={(e) => setIdNumbers(e.currentTarget.checked)}
          />
          {t('taxonomy.idNumbers.label')}
        </label>
        <p class="muted">{t('taxonomy.idNumbers.hint')}</p>
      </section>
      <form class="panel stack admin-form" onSubmit={submit} aria-labelledby="taxonomy-add-title" data-testid="taxonomy-form" noValidate>
        <h2 id="taxonomy-add-title">{t('taxonomy.addTitle')}</h2>
        <label>
          {t('taxonomy.code')}
          <input
            name="code"
            maxLength={32}
            autoCapitalize="off"
            spellcheck={false}
            placeholder={t('taxonomy.codePlaceholder')}
            value={draft.value.code}
            onInput={(e) => set({ code: e.currentTarget.value.toLowerCase() })}
          />
          <span class="hint">{t('taxonomy.codeHint')}</span>
        </label>
        <label>
          {t('admin.nameZh')}
          <input name="nameZh" maxLength={32} value={draft.value.nameZh} onInput={(e) => set({ nameZh: e.currentTarget.value })} />
        </label>
        <label>
          {t('admin.nameEn')}
          <input name="nameEn" maxLength={32} value={draft.value.nameEn} onInput={(e) => set({ nameEn: e.currentTarget.value })} />
        </label>
        <label>
          {t('taxonomy.group')}
          <select name="group" value={draft.value.group} onChange={(e) => set({ group: INCIDENT_GROUPS.find((g) => g === e.currentTarget.value) ?? 'other' })}>
            {INCIDENT_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(GROUP_KEYS[g])}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input name="preventable" type="checkbox" checked={draft.value.preventable} onChange={(e) => set({ preventable: e.currentTarget.checked })} />
          {t('taxonomy.preventableLabel')}
        </label>
        {add.error.value && (
          <p class="form-error" role="alert">
            {add.error.value}
          </p>
        )}
        {added.value && (
          <p class="ok" role="status">
            {t('taxonomy.added', { name: added.value })}
          </p>
        )}
        <button type="submit" class="primary" disabled={add.busy.value}>
          {t('taxonomy.add')}
        </button>
      </form>
    </>
  );
}
