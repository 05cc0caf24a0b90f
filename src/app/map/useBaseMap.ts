import { useSignal } from '@preact/signals';
import type { StyleSpecification } from 'maplibre-gl';
import { useEffect } from 'preact/hooks';
import type { Boundary } from '../../domain/checkpoints.js';
import type { MapSettings } from '../../domain/protocol/config.js';
import { t } from '../i18n/index.js';
import { loadAppConfig } from '../state/app-config.js';
import { describeError, notify, reportError } from '../state/notices.js';
import { baseStyle, PLAIN_STYLE } from './base-map.js';

/** The deployment's map settings, the style to draw under the layers (null while loading), and the unit's boundaries. */
export function useBaseMap(): { settings: MapSettings | null; style: StyleSpecification | string | null; boundaries: readonly Boundary[] } {
  const settings = useSignal<MapSettings | null>(null);
  const boundaries = useSignal<readonly Boundary[]>([]);
  const style = useSignal<StyleSpecification | string | null>(null);
  useEffect(() => {
    loadAppConfig()
      .then(async (c) => {
        settings.value = c.map;
        boundaries.value = c.boundaries;
        try {
          style.value = await baseStyle(c.map.base);
        } catch (error) {
          // Our own layers matter more than the base map: draw them on the plain background.
          console.error(error);
          notify('error', t('map.baseFailed', { message: describeError(error) }));
          style.value = PLAIN_STYLE;
        }
      })
      .catch(reportError);
  }, []);
  return { settings: settings.value, style: style.value, boundaries: boundaries.value };
}
