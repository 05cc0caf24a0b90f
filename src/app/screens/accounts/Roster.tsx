import type { RosterResponse } from '../../../domain/protocol/accounts.js';
import { locale, t } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { DeviceList } from './DeviceList.js';

const REFRESH_MS = 10 * 60_000;

/** A leader's squad, or a supervisor's unit: who is on the roster, by squad, and their devices. */
export function Roster() {
  const { data, offline } = usePolledApi<RosterResponse>('/api/roster', REFRESH_MS);
  const roster = data.value;
  return (
    <>
      <section class="panel" aria-labelledby="roster-title" data-testid="roster">
        <h2 id="roster-title">{t('roster.title')}</h2>
        {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
        {roster && <RosterList roster={roster} />}
      </section>
      <DeviceList canRevoke={false} />
    </>
  );
}

/** The people of a roster grouped by squad (no squad last), as badge, name, role and state. */
export function RosterList({ roster, actions }: { roster: RosterResponse; actions?: (id: string) => preact.ComponentChildren }) {
  const groups = [...roster.squads.map((s) => ({ id: s.id as string | null, name: s.name[locale.value] })), { id: null, name: t('roster.noSquad') }];
  return (
    <>
      {groups.map((g) => {
        const people = roster.people.filter((p) => p.squadId === g.id);
        if (people.length === 0) return null;
        return (
          <div key={g.id ?? 'none'} class="roster-squad">
            <h3>
              {g.name} <span class="muted">· {t('roster.count', { n: people.length })}</span>
            </h3>
            <ul class="rejected-list">
              {people.map((p) => (
                <li key={p.id} data-badge={p.badge}>
                  <strong>{p.name}</strong> <span class="muted">{p.badge}</span> · {t(`role.${p.role}`)}
                  {p.disabledAt && <span class="badge-bad"> {t('roster.disabled')}</span>}
                  {p.simulated && <span class="badge-approx"> {t('roster.simulated')}</span>}
                  {actions?.(p.id)}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </>
  );
}
