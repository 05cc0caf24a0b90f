import { createPortal } from 'preact/compat';
import type { Completion } from '../../../domain/plan-schedule.js';
import type { AuditTrackResponse } from '../../../domain/protocol/track-audit.js';
import type { RouteAnalysis } from '../../../domain/route-analysis.js';
import type { AuditVerdict } from '../../../domain/route-replay.js';
import { formatTime, t, type MessageKey } from '../../i18n/index.js';
import { currentUser } from '../../state/session.js';
import { ShiftFacts } from './AuditAnalysis.js';
import { evidenceText } from './evidence-text.js';
import type { AuditSubject } from './ShiftPicker.js';

/**
 * The shift report as a unit files it (A4, print stylesheet): who and when, the map, the verdict
 * with its evidence, the figures, the flags, and each device's newest record in the window with
 * its hash, so the paper can be checked against the database long after. Shown only in print
 * (the browser's own print command prints it too, without the map until one is taken).
 */
export function PrintReport({
  shift,
  completion,
  track,
  verdict,
  verdictKey,
  evidence,
  analysis,
  summary,
  snapshot,
}: {
  shift: AuditSubject;
  completion: Completion | null | undefined;
  track: AuditTrackResponse;
  verdict: AuditVerdict;
  verdictKey: MessageKey;
  evidence: readonly string[];
  analysis: RouteAnalysis | null;
  summary: string;
  snapshot: string | null;
}) {
  const viewer = currentUser.value;
  const now = new Date().toISOString();
  // A child of body, so the print stylesheet can leave out everything else (and the pages it would fill).
  return createPortal(
    <section class="print-report" data-testid="print-report">
      <h1>{t('audit.report.title')}</h1>
      <p>
        <strong>{t('person.nameBadge', { name: shift.name, badge: shift.badge })}</strong> {shift.startedAt.slice(0, 10)} {formatTime(shift.startedAt)}–
        {shift.endedAt ? formatTime(shift.endedAt) : t('audit.open')}
      </p>
      <p class="muted">
        {t('audit.report.made', {
          date: now.slice(0, 10),
          time: formatTime(now),
          name: viewer ? t('person.nameBadge', { name: viewer.name, badge: viewer.badge }) : '',
        })}
      </p>
      {snapshot && <img class="print-map" src={snapshot} alt={t('audit.report.map')} data-testid="print-map" />}
      <h2>{t('audit.report.verdict')}</h2>
      <p data-verdict={verdict}>{t(verdictKey)}</p>
      {evidence.length > 0 && (
        <ul>
          {evidence.map((e) => (
            <li key={e}>{evidenceText(e)}</li>
          ))}
        </ul>
      )}
      <h2>{t('audit.report.figures')}</h2>
      <p>{summary}</p>
      {analysis && <ShiftFacts shift={shift} analysis={analysis} track={track} completion={completion} />}
      {analysis && (
        <>
          <h2>{t('audit.flags')}</h2>
          {analysis.flags.length === 0 ? (
            <p>{t('audit.flagsNone')}</p>
          ) : (
            <ul>
              {analysis.flags.map((flag) => (
                <li key={flag.kind}>
                  {t(`audit.flag.${flag.kind}`)} ({flag.evidence.length}): {t(`audit.flagWhy.${flag.kind}`)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <h2>{t('audit.report.chain')}</h2>
      <table class="print-chain" data-testid="print-chain">
        <thead>
          <tr>
            <th>{t('audit.report.device')}</th>
            <th>{t('audit.report.records')}</th>
            <th>{t('audit.report.headSeq')}</th>
            <th>{t('audit.report.headHash')}</th>
          </tr>
        </thead>
        <tbody>
          {track.verification.devices.map((d) => (
            <tr key={d.deviceId} data-device={d.deviceId}>
              <td>{d.deviceId}</td>
              <td>{d.records}</td>
              <td>{d.last.seq}</td>
              <td class="print-hash">{d.last.hash}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{t('audit.report.check')}</p>
    </section>,
    document.body,
  );
}
