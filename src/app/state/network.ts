import { signal } from '@preact/signals';

/** Whether the server can be reached: the browser's belief, corrected by how our calls fare. */
export const online = signal(navigator.onLine);

addEventListener('online', () => (online.value = true));
addEventListener('offline', () => (online.value = false));

/** Records what a call just learned: `navigator.onLine` says true behind a dead link or captive portal. */
export function reachable(yes: boolean): void {
  online.value = yes;
}
