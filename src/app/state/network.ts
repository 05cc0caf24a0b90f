import { signal } from '@preact/signals';

/** Whether the browser believes it has a network; refined by failed calls elsewhere. */
export const online = signal(navigator.onLine);

addEventListener('online', () => (online.value = true));
addEventListener('offline', () => (online.value = false));
