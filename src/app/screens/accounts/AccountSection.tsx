import { useSignal } from '@preact/signals';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { t } from '../../i18n/index.js';
import { PasswordChange } from '../login/PasswordChange.js';
import { DeviceList } from './DeviceList.js';

/** The user's own account, folded away until asked for: a password change, and an officer's own devices. */
export function AccountSection({ user }: { user: SessionUser }) {
  const open = useSignal(false);
  return (
    <section class="account-section" data-testid="account-section">
      <button type="button" aria-expanded={open.value} onClick={() => (open.value = !open.value)}>
        {t('account.changePassword')}
      </button>
      {open.value && (
        <>
          <PasswordChange forced={false} onDone={() => (open.value = false)} />
          {user.role === 'officer' && <DeviceList canRevoke={false} />}
        </>
      )}
    </section>
  );
}
