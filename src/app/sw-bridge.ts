import { t } from './i18n/index.js';
import { notify, reportError } from './state/notices.js';

/** Registers the service worker and owns the update flow: announce offline readiness, apply updates only when asked. */
async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const firstInstall = !navigator.serviceWorker.controller;
  // Dev serves the worker as an ES module; the build emits a classic script.
  const registration = await navigator.serviceWorker.register(import.meta.env.DEV ? '/dev-sw.js?dev-sw' : '/sw.js', {
    scope: '/',
    type: import.meta.env.DEV ? 'module' : 'classic',
  });

  const offerUpdate = (waiting: ServiceWorker) =>
    notify('info', () => t('sw.updateReady'), {
      label: () => t('sw.updateNow'),
      run: () => {
        navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
        waiting.postMessage({ type: 'SKIP_WAITING' });
      },
    });

  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state !== 'installed') return;
      if (firstInstall) notify('info', () => t('sw.offlineReady'));
      else offerUpdate(installing);
    });
  });
}

/** Starts registration without holding up the first paint; a failure is shown, not swallowed. */
export function startServiceWorker(): void {
  registerServiceWorker().catch(reportError);
}
