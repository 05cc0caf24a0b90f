import type { TrackingReason } from '../../../domain/patrol-session.js';
import { formatTime, t, type MessageKey } from '../../i18n/index.js';

/**
 * One line of auditVerdict's evidence in plain words. The evidence stays machine-readable
 * (`kind:device:detail`, route-replay.ts) for tests and exports; people read this.
 */
export function evidenceText(line: string): string {
  const [kind, first, ...rest] = line.split(':');
  const detail = rest.join(':');
  const device = first?.slice(0, 8) ?? '';
  if (kind === 'paused') return `${formatTime(detail)} ${t('audit.pauseMark', { reason: t(`reason.${first as TrackingReason}` as MessageKey) })}`;
  const [from, to] = detail.split('-');
  if (kind === 'missing') return t('audit.evidence.missing', { device, from: from ?? '', to: to ?? '' });
  if (kind === 'truncated') return t('audit.evidence.truncated', { device, stored: from ?? '', acked: to ?? '' });
  if (kind === 'broken-link' || kind === 'bad-signature' || kind === 'hash-mismatch') return t(`audit.evidence.${kind}`, { device, seq: detail });
  return line;
}
