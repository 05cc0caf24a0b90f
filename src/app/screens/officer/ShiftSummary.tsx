import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { formatDuration, formatTime, t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import { dismissSummary, type ShiftSummary as Summary } from '../../state/shift.js';
import { syncStatus } from '../../state/sync.js';

/** How the shift just ended went, from what this device holds (so it shows offline); stays until dismissed. */
export function ShiftSummary({ user, summary }: { user: SessionUser; summary: Summary }) {
  const minutes = Math.max(0, Math.round((Date.parse(summary.endedAt) - Date.parse(summary.startedAt)) / 60_000));
  // Live, not a snapshot: the officer watches it fall to zero as the records reach the server.
  const waiting = syncStatus.value.waiting;
  // The end form was scrolled down to its button; the summary is at the top.
  useEffect(() => window.scrollTo({ top: 0 }), [summary.shiftId]);
  return (
    <section class="panel stack shift-summary" aria-labelledby="shift-summary-title" data-testid="shift-summary">
      <h2 id="shift-summary-title">{t('summary.title')}</h2>
      <dl class="summary-grid">
        <dt>{t('summary.time')}</dt>
        <dd data-minutes={minutes}>
          {formatTime(summary.startedAt)}–{formatTime(summary.endedAt)} · {formatDuration(minutes)}
        </dd>
        <dt>{t('summary.distance')}</dt>
        <dd data-distance-m={Math.round(summary.distanceM)}>{t('summary.km', { km: (summary.distanceM / 1000).toFixed(2) })}</dd>
        <dt>{t('summary.checkpoints')}</dt>
        <dd data-done={summary.checkpointsDone} data-missed={summary.checkpointsMissed} class={summary.checkpointsMissed ? 'form-error' : ''}>
          {t('summary.checkpointsCount', { done: summary.checkpointsDone, missed: summary.checkpointsMissed })}
        </dd>
        <dt>{t('summary.upload')}</dt>
        <dd data-waiting={waiting} class={waiting ? 'form-error' : 'ok'}>
          {waiting ? t('summary.waiting', { n: waiting }) : t('summary.allUploaded')}
        </dd>
      </dl>
      <button type="button" onClick={() => dismissSummary(user.id).catch(reportError)}>
        {t('summary.dismiss')}
      </button>
    </section>
  );
}
