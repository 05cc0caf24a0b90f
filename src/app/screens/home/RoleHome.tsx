import type { ComponentChildren } from 'preact';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import type { Role } from '../../../domain/roles.js';
import { t, type MessageKey } from '../../i18n/index.js';

const TITLES: Record<Role, MessageKey> = {
  officer: 'home.officer.title',
  leader: 'home.leader.title',
  supervisor: 'home.supervisor.title',
  admin: 'home.admin.title',
};
const UPCOMING: Record<Role, MessageKey> = {
  officer: 'home.officer.upcoming',
  leader: 'home.leader.upcoming',
  supervisor: 'home.supervisor.upcoming',
  admin: 'home.admin.upcoming',
};

/** Each role's own home. Until later releases fill them, they say plainly what is coming. */
export function RoleHome({ user, children }: { user: SessionUser; children?: ComponentChildren }) {
  return (
    <main class={`home home-${user.role}`} data-role={user.role}>
      <h1>{t(TITLES[user.role])}</h1>
      <p class="who">
        {t('auth.signedInAs', { name: user.name, badge: user.badge })} · {t(`role.${user.role}`)}
      </p>
      {children}
      <section class="placeholder" aria-label={t('home.placeholder')}>
        <p>{t('home.placeholder')}</p>
        <ul>
          {t(UPCOMING[user.role])
            .split('|')
            .map((item) => (
              <li key={item}>{item}</li>
            ))}
        </ul>
      </section>
    </main>
  );
}
