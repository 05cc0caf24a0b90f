import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';

/** The admin screen is its own chunk: officers' phones never download the editors. */
export function LazyAdminScreen() {
  const [Screen, setScreen] = useState<ComponentType | null>(null);
  useEffect(() => {
    import('./index.js').then((m) => setScreen(() => m.AdminScreen), reportError);
  }, []);
  return Screen ? <Screen /> : <p class="muted">{t('app.loading')}</p>;
}
