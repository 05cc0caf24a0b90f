import { useSignal } from '@preact/signals';
import type { RosterSquad } from '../../../domain/protocol/accounts.js';
import { t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { accounts, createSquad, renameSquad } from './accounts-store.js';

/** The unit's squads: renamed in place, a new one by code and two names. */
export function SquadsPanel() {
  const squads = accounts.value?.squads ?? [];
  return (
    <section class="panel stack" aria-labelledby="squads-title" data-testid="squads-panel">
      <h2 id="squads-title">{t('accounts.squads')}</h2>
      {squads.map((s) => (
        <SquadForm key={s.id} squad={s} />
      ))}
      <SquadForm />
    </section>
  );
}

function SquadForm({ squad }: { squad?: RosterSquad }) {
  const code = useSignal(squad?.code ?? '');
  const zh = useSignal(squad?.name['zh-CN'] ?? '');
  const en = useSignal(squad?.name.en ?? '');
  const action = useAction({ inline: true });
  function submit(event: Event) {
    event.preventDefault();
    void action.run(async () => {
      const name = { 'zh-CN': zh.value, en: en.value };
      if (squad) await renameSquad(squad.id, name);
      else {
        await createSquad(code.value, name);
        code.value = zh.value = en.value = '';
      }
    });
  }
  return (
    <form class="row squad-form" onSubmit={submit} data-squad={squad?.code ?? 'new'}>
      <label class="squad-code">
        {t('accounts.squadCode')}
        <input name="code" required disabled={!!squad} value={code.value} onInput={(e) => (code.value = e.currentTarget.value)} />
      </label>
      <label>
        {t('accounts.nameZh')}
        <input name="name-zh" required value={zh.value} onInput={(e) => (zh.value = e.currentTarget.value)} />
      </label>
      <label>
        {t('accounts.nameEn')}
        <input name="name-en" required value={en.value} onInput={(e) => (en.value = e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy.value}>
        {t(squad ? 'accounts.rename' : 'accounts.addSquad')}
      </button>
      {action.error.value && (
        <p class="form-error" role="alert">
          {action.error.value}
        </p>
      )}
    </form>
  );
}
