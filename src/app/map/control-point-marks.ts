import type { CheckpointShape, LocalName } from '../../domain/checkpoints.js';
import type { Locale } from '../i18n/index.js';

/** A control point drawn on the map as a small circle, so its name shows like a checkpoint's. */
export const POINT_MARK_M = 60;

/**
 * Control points as the admin map draws them, each labelled with its name in `lang`, passed
 * through `approximate` when the position is not surveyed ("… (approx.)"). The caller reads the
 * language, so it re-renders on a switch.
 */
export function controlPointMarks(
  points: ReadonlyArray<{ id: string; name: LocalName; lon: number; lat: number; approximate: boolean }>,
  lang: Locale,
  approximate: (name: string) => string,
): Array<{ id: string; name: LocalName; shape: CheckpointShape }> {
  return points.map((p) => {
    const label = p.approximate ? approximate(p.name[lang]) : p.name[lang];
    return { id: p.id, name: { 'zh-CN': label, en: label }, shape: { kind: 'circle', center: [p.lon, p.lat], radiusM: POINT_MARK_M } };
  });
}
