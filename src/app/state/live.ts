import { signal } from '@preact/signals';
import { LIVE_RESYNC, type LiveEventKind } from '../../domain/protocol/live.js';

/** `live`: the stream is open; `connecting`: opening or re-opening it; `off`: not signed in. */
type LiveState = 'off' | 'connecting' | 'live';
export const liveState = signal<LiveState>('off');

/**
 * Each live event's kind, dispatched as a MessageEvent of that type (and `resync`), with the
 * event's JSON as `data` and its id as `lastEventId`. Most listeners fetch what changed (pull, or
 * their screen's GET); `position` and `sos` carry the new state itself.
 */
export const liveEvents = new EventTarget();

/** Kinds the server may send; a listener for any other would never fire. */
const KINDS: readonly LiveEventKind[] = ['changes', 'shift', 'task', 'position', 'sos'];
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Keeps `GET /api/live` open while signed in. The browser's EventSource reconnects by itself
 * after a dropped connection, sending Last-Event-ID; after a refusal (401, 503) it gives up, so
 * here a new one is opened with backoff, resuming from the last id seen. Every (re)opening also
 * announces a resync: what happened while the stream was down is fetched, not assumed.
 */
export function connectLive(): () => void {
  let source: EventSource | null = null;
  let lastId: string | null = null;
  let delay = FIRST_RETRY_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const open = () => {
    clearTimeout(retry);
    source?.close();
    liveState.value = 'connecting';
    const next = new EventSource(lastId ? `/api/live?after=${encodeURIComponent(lastId)}` : '/api/live');
    source = next;
    next.onopen = () => {
      liveState.value = 'live';
      delay = FIRST_RETRY_MS;
      liveEvents.dispatchEvent(new Event(LIVE_RESYNC));
    };
    const forward = (kind: string) => (event: MessageEvent) => {
      if (event.lastEventId) lastId = event.lastEventId;
      liveEvents.dispatchEvent(new MessageEvent(kind, { data: parseData(event.data), lastEventId: event.lastEventId }));
    };
    for (const kind of [...KINDS, LIVE_RESYNC]) next.addEventListener(kind, forward(kind));
    next.onerror = () => {
      if (stopped) return;
      if (next.readyState === EventSource.CLOSED) {
        liveState.value = 'connecting';
        retry = setTimeout(open, delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      } else liveState.value = 'connecting';
    };
  };
  // The network came back: no reason to sit out the backoff.
  const reconnectNow = () => liveState.value !== 'live' && open();

  addEventListener('online', reconnectNow);
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    removeEventListener('online', reconnectNow);
    source?.close();
    liveState.value = 'off';
  };
}

/** An event's JSON; the server writes it, but a proxy could garble it: then nothing, logged. */
function parseData(text: unknown): unknown {
  try {
    return typeof text === 'string' && text ? JSON.parse(text) : null;
  } catch (error) {
    console.error('live event data is not JSON', error);
    return null;
  }
}
