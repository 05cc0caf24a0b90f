import { signal } from '@preact/signals';
import { api } from '../../store/api.js';

/** Whether the server can be reached: the browser's belief, corrected by how our calls fare. */
export const online = signal(navigator.onLine);

/** Records what a call just learned: `navigator.onLine` says true behind a dead link or captive portal. */
export function reachable(yes: boolean): void {
  online.value = yes;
}

/** How often a visible page asks the server whether it is back, while it cannot reach it. */
const PROBE_MS = 3_000;
/** A dead link answers nothing; a probe that waits longer than this counts as no answer. */
const PROBE_TIMEOUT_MS = 2_500;
let probing = false;

/**
 * Asks the server whether it is reachable. The `online` event alone is not enough: it fires
 * before a phone's link carries traffic (and sometimes not at all after an offline reload), and a
 * sync that then failed would wait out its backoff — 20 s and more with records waiting.
 */
async function probe(): Promise<void> {
  if (probing) return;
  probing = true;
  try {
    await api('/api/health', { timeoutMs: PROBE_TIMEOUT_MS });
    reachable(true);
  } catch {
    // Any failure (no network, timeout, a 5xx) means not back yet; the next probe asks again.
    reachable(false);
  } finally {
    probing = false;
  }
}

addEventListener('online', () => void probe());
addEventListener('offline', () => reachable(false));
// Only while the browser believes it has a network: otherwise its `online` event comes first, and
// each probe would only add a failed request to the console.
setInterval(() => {
  if (!online.value && navigator.onLine && document.visibilityState === 'visible') void probe();
}, PROBE_MS);
