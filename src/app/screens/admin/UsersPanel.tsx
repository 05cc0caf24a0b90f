import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { RosterPerson } from '../../../domain/protocol/accounts.js';
import { ROLES, type Role } from '../../../domain/roles.js';
import { locale, t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { RosterList } from '../accounts/Roster.js';
import { accounts, createUser, editUser, loadAccounts, oneTimePasswords, resetPassword, setDisabled, type UserFields } from './accounts-store.js';
import { PasswordRulesPanel } from './PasswordRulesPanel.js';
import { RosterImport } from './RosterImport.js';
import { SquadsPanel } from './SquadsPanel.js';
import { UnitPanel } from './UnitPanel.js';

/**
 * The admin's accounts desk (issue 16): the unit's people by squad, each editable (name, role,
 * squad), disabled or given a one-time password; a new account; the roster import; squads; the
 * unit's password rules. One-time passwords show once, here, and nowhere else.
 */
export function UsersPanel() {
  const editing = useSignal<string | null>(null);
  const creating = useSignal(false);
  const action = useAction();
  useEffect(() => void loadAccounts().catch(reportError), []);
  const roster = accounts.value;

  const actions = (id: string) => {
    const person = roster?.people.find((p) => p.id === id);
    if (!person) return null;
    if (editing.value === id) return <UserForm person={person} onDone={() => (editing.value = null)} />;
    return (
      <div class="row user-actions">
        <button type="button" onClick={() => (editing.value = id)}>
          {t('admin.edit')}
        </button>
        <button type="button" disabled={action.busy.value} onClick={() => void action.run(() => setDisabled(id, !person.disabledAt))}>
          {t(person.disabledAt ? 'accounts.enable' : 'accounts.disable')}
        </button>
        <button type="button" disabled={action.busy.value} onClick={() => void action.run(() => resetPassword(id))}>
          {t('accounts.reset')}
        </button>
      </div>
    );
  };

  return (
    <>
      <OneTimePasswords />
      <section class="panel stack" aria-labelledby="users-title" data-testid="users-panel">
        <div class="row">
          <h2 id="users-title">{t('accounts.title')}</h2>
          <button type="button" class="primary" onClick={() => (creating.value = !creating.value)}>
            {t('accounts.new')}
          </button>
        </div>
        {creating.value && <UserForm onDone={() => (creating.value = false)} />}
        {roster && <RosterList roster={roster} actions={actions} />}
      </section>
      <RosterImport />
      <UnitPanel />
      <SquadsPanel />
      <PasswordRulesPanel />
    </>
  );
}

/** The one-time passwords just made, to hand to each person; they must replace it at first sign-in. */
function OneTimePasswords() {
  const list = oneTimePasswords.value;
  if (list.length === 0) return null;
  return (
    <section class="panel stack one-time" role="status" data-testid="one-time-passwords">
      <h2>{t('accounts.oneTime.title')}</h2>
      <p class="muted">{t('accounts.oneTime.hint')}</p>
      <ul class="rejected-list">
        {list.map((p) => (
          <li key={p.badge} data-badge={p.badge}>
            {t('person.nameBadge', { name: p.name, badge: p.badge })}: <code class="otp">{p.oneTimePassword}</code>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => (oneTimePasswords.value = [])}>
        {t('accounts.oneTime.done')}
      </button>
    </section>
  );
}

/** A new account (no `person`) or an edit of one: name, role and squad; a badge only when new. */
function UserForm({ person, onDone }: { person?: RosterPerson; onDone: () => void }) {
  const badge = useSignal('');
  const fields = useSignal<UserFields>({
    name: person?.name ?? '',
    role: person?.role ?? 'officer',
    squadId: person?.squadId ?? accounts.value?.squads[0]?.id ?? null,
  });
  const action = useAction({ inline: true });
  const squads = accounts.value?.squads ?? [];
  const set = (patch: Partial<UserFields>) => (fields.value = { ...fields.value, ...patch });
  function submit(event: Event) {
    event.preventDefault();
    void action.run(async () => {
      if (person) await editUser(person.id, fields.value);
      else await createUser(badge.value, fields.value);
      onDone();
    });
  }
  return (
    <form class="stack user-form" onSubmit={submit} data-testid="user-form">
      {!person && (
        <label>
          {t('auth.badge')}
          <input name="badge" required autocapitalize="characters" value={badge.value} onInput={(e) => (badge.value = e.currentTarget.value)} />
        </label>
      )}
      <label>
        {t('accounts.name')}
        <input name="name" required value={fields.value.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <label>
        {t('accounts.role')}
        <select name="role" value={fields.value.role} onChange={(e) => set({ role: e.currentTarget.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('accounts.squad')}
        <select name="squad" value={fields.value.squadId ?? ''} onChange={(e) => set({ squadId: e.currentTarget.value || null })}>
          <option value="">{t('roster.noSquad')}</option>
          {squads.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name[locale.value]}
            </option>
          ))}
        </select>
      </label>
      {action.error.value && (
        <p class="form-error" role="alert">
          {action.error.value}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={action.busy.value}>
          {t('admin.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('admin.cancel')}
        </button>
      </div>
    </form>
  );
}
