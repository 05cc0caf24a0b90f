import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';

/** The live squad and its SOS alarm are their own chunk: officers' phones never download them. */
export function LazyLiveSquad({ user }: { user: SessionUser }) {
  const [Screen, setScreen] = useState<ComponentType<{ user: SessionUser }> | null>(null);
  useEffect(() => {
    import('./LiveSquad.js').then((m) => setScreen(() => m.LiveSquad), reportError);
  }, []);
  return Screen ? (
    <Screen user={user} />
  ) : (
    <section class="panel" aria-label={t('squad.title')}>
      <h2>{t('squad.title')}</h2>
      <div class="map map-loading">{t('app.loading')}</div>
    </section>
  );
}
