import { useSignal, type Signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { LIVE_RESYNC, type LiveEventKind } from '../../domain/protocol/live.js';
import { api, OfflineError } from '../../store/api.js';
import { liveEvents } from './live.js';
import { reportError } from './notices.js';

/**
 * A GET the screen keeps fresh: fetched on mount, every `everyMs` while the page is visible, and
 * at once when the live channel announces one of `liveKinds` (or reconnects).
 * `offline` says the last try could not reach the server (the old data stays); other failures are reported.
 */
export function usePolledApi<T>(path: string, everyMs: number, liveKinds: readonly LiveEventKind[] = []): { data: Signal<T | null>; offline: Signal<boolean> } {
  const data = useSignal<T | null>(null);
  const offline = useSignal(false);
  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      api<T>(path, { signal: controller.signal }).then(
        (response) => {
          data.value = response;
          offline.value = false;
        },
        (error: unknown) => {
          if (error instanceof OfflineError) offline.value = true;
          else if (!controller.signal.aborted) reportError(error);
        },
      );
    void load();
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), everyMs);
    for (const kind of [...liveKinds, LIVE_RESYNC]) liveEvents.addEventListener(kind, () => void load(), { signal: controller.signal });
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [path, everyMs, liveKinds.join()]);
  return { data, offline };
}
