import type { Completion } from '../../domain/plan-schedule.js';
import { t } from '../i18n/index.js';

/** A completion in words for every screen: met of required with the share, or that nothing is required yet (never a bare 100 %). */
export function completionText(completion: Completion): string {
  if (completion.ratio === null) return t('completion.noneRequired');
  return t('completion.met', { met: completion.met, required: completion.required, percent: Math.round(completion.ratio * 100) });
}
