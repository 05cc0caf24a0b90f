import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';

/** The safety index is its own chunk (with its R-tree and chart): officers' phones never download it. */
export function LazySafetyIndex() {
  const [Screen, setScreen] = useState<ComponentType | null>(null);
  useEffect(() => {
    import('./SafetyIndex.js').then((m) => setScreen(() => m.SafetyIndex), reportError);
  }, []);
  return Screen ? (
    <Screen />
  ) : (
    <section class="panel" aria-label={t('index.title')}>
      <h2>{t('index.title')}</h2>
      <p class="muted">{t('app.loading')}</p>
    </section>
  );
}
