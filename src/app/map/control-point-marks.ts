import type { CheckpointShape, LocalName } from '../../domain/checkpoints.js';
import { locale, t } from '../i18n/index.js';

/** A control point drawn on the map as a small circle, so its name shows like a checkpoint's. */
export const POINT_MARK_M = 60;

/**
 * Control points as the admin map draws them, each labelled with its name, and "(approx.)" when
 * the position is not surveyed. The label is in the current language (read here, so a caller
 * rendering this re-renders on a language switch).
 */
export function controlPointMarks(
  points: ReadonlyArray<{ id: string; name: LocalName; lon: number; lat: number; approximate: boolean }>,
): Array<{ id: string; name: LocalName; shape: CheckpointShape }> {
  return points.map((p) => {
    const label = p.approximate ? t('ctl.mapApprox', { name: p.name[locale.value] }) : p.name[locale.value];
    return { id: p.id, name: { 'zh-CN': label, en: label }, shape: { kind: 'circle', center: [p.lon, p.lat], radiusM: POINT_MARK_M } };
  });
}
