import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { loadUnit, renameUnit } from './accounts-store.js';

/** The admin's own unit: its Chinese and English names, renamed in place. */
export function UnitPanel() {
  const zh = useSignal('');
  const en = useSignal('');
  const saved = useSignal(false);
  const load = useAction({ inline: true });
  const action = useAction({ inline: true });
  useEffect(() => {
    void load.run(async () => {
      const unit = await loadUnit();
      zh.value = unit.name['zh-CN'];
      en.value = unit.name.en;
    });
  }, []);
  function submit(event: Event) {
    event.preventDefault();
    saved.value = false;
    void action.run(async () => {
      const unit = await renameUnit({ 'zh-CN': zh.value, en: en.value });
      zh.value = unit.name['zh-CN'];
      en.value = unit.name.en;
      saved.value = true;
    });
  }
  return (
    <section class="panel stack" aria-labelledby="unit-title" data-testid="unit-panel">
      <h2 id="unit-title">{t('unit.title')}</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          {t('admin.nameZh')}
          <input name="unit-zh" required maxLength={100} value={zh.value} onInput={(e) => ((zh.value = e.currentTarget.value), (saved.value = false))} />
        </label>
        <label>
          {t('admin.nameEn')}
          <input name="unit-en" required maxLength={100} value={en.value} onInput={(e) => ((en.value = e.currentTarget.value), (saved.value = false))} />
        </label>
        <button type="submit" disabled={action.busy.value || load.busy.value}>
          {t('unit.rename')}
        </button>
        {saved.value && (
          <p class="ok" role="status">
            {t('admin.saved')}
          </p>
        )}
        {(load.error.value ?? action.error.value) && (
          <p class="form-error" role="alert">
            {load.error.value ?? action.error.value}
          </p>
        )}
      </form>
    </section>
  );
}
