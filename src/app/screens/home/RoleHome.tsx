import type { ComponentChildren } from 'preact';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import type { Role } from '../../../domain/roles.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { EquipmentLosses } from '../leader/EquipmentLosses.js';
import { AccountSection } from '../accounts/AccountSection.js';

const TITLES: Record<Role, MessageKey> = {
  officer: 'home.officer.title',
  leader: 'home.leader.title',
  supervisor: 'home.supervisor.title',
  admin: 'home.admin.title',
};
/** Each role's own home: its title, who is signed in, and the role's own screens. */
export function RoleHome({ user, children }: { user: SessionUser; children?: ComponentChildren }) {
  return (
    <main class={`home home-${user.role}`} data-role={user.role}>
      <h1>{t(TITLES[user.role])}</h1>
      <p class="who">
        {t('auth.signedInAs', { name: user.name, badge: user.badge })} · {t(`role.${user.role}`)}
      </p>
      {(user.role === 'leader' || user.role === 'supervisor') && <EquipmentLosses />}
      {children}
      <AccountSection user={user} />
    </main>
  );
}
