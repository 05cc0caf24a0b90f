import type { ComplianceResponse } from '../../../domain/protocol/compliance.js';
import { formatTime, locale, t } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { completionText } from '../completion-text.js';
import { Coverage } from './Coverage.js';

const REFRESH_MS = 60_000;
const percent = (ratio: number) => Math.round(ratio * 100);

/** Plan compliance of the squad (leader) or unit (supervisor) over the last 24 hours, from verified check-ins. */
export function Compliance() {
  const { data, offline } = usePolledApi<ComplianceResponse>('/api/compliance', REFRESH_MS, ['shift']);

  const report = data.value;
  return (
    <>
      <section class="panel" aria-label={t('compliance.title')} data-testid="compliance">
        <h2>{t('compliance.title')}</h2>
        {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
        {report && report.shifts.length === 0 && <p class="muted">{t('compliance.none')}</p>}
        <ul class="due-list">
          {report?.checkpoints
            .filter((c) => c.needed > 0 || c.verified + c.weak + c.unsupported > 0)
            .map((c) => (
              <li
                key={c.checkpointId}
                class={`due ${c.ratio === null ? 'due-upcoming' : c.ratio < 1 ? 'due-missed' : 'due-done'}`}
                data-checkpoint={c.checkpointId}
                data-ratio={c.ratio ?? 'none'}
              >
                <span class="due-name">{c.name[locale.value]}</span>
                <span class="due-status">{c.ratio === null ? t('completion.noneRequired') : t('compliance.met', { met: c.met, needed: c.needed })}</span>
                {c.ratio !== null && (
                  <meter class="due-when" min={0} max={1} low={0.5} high={0.99} optimum={1} value={c.ratio} aria-label={`${percent(c.ratio)}%`} />
                )}
                <span class="due-when muted">
                  {t('compliance.counts', { verified: c.verified, weak: c.weak, unsupported: c.unsupported })} ·{' '}
                  {c.lastVerifiedAt ? t('compliance.lastVerified', { time: formatTime(c.lastVerifiedAt) }) : t('compliance.neverVerified')}
                </span>
              </li>
            ))}
        </ul>
        {report && report.shifts.length > 0 && (
          <>
            <h3>{t('compliance.shifts')}</h3>
            <ul class="rejected-list">
              {report.shifts.map((s) => (
                <li key={s.shiftId} data-shift={s.shiftId} data-ratio={s.completion.ratio ?? 'none'}>
                  <strong>{t('person.nameBadge', { name: s.name, badge: s.badge })}</strong> {completionText(s.completion)}
                  {s.endedAt === null && <span class="muted"> · {t('compliance.open')}</span>}
                  <div class="muted">
                    {t('compliance.counts', { verified: s.checkins.verified, weak: s.checkins.weak, unsupported: s.checkins.unsupported })}
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {/* Beat coverage sits beside checkpoint compliance, for the same viewers. */}
      <Coverage />
    </>
  );
}
