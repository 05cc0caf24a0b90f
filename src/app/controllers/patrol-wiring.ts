import type { PatrolEvent, PatrolReply } from '../../domain/patrol-session.js';
import { toFix } from '../state/tracking.js';

/** How often the session hears the clock, so that a silent GPS becomes a recorded pause. */
const TICK_MS = 5_000;

interface WakeLockSentinelLike extends EventTarget {
  released: boolean;
  release(): Promise<void>;
}
/** The Screen Wake Lock API where the browser has it. */
export interface WakeLockLike {
  request(type: 'screen'): Promise<WakeLockSentinelLike>;
}

/** What the wiring drives and listens to; the browser's own objects in the app, fakes in a test. */
export interface PatrolWiring {
  /** Opens the shift's session and writes its answer. */
  start(visible: boolean, now: number): Promise<PatrolReply | null>;
  /** One event to the session; resolves once its answer is written. */
  send(event: PatrolEvent): Promise<PatrolReply | null>;
  /** The time source: every event carries the time it happened. */
  clock(): number;
  geolocation: Pick<Geolocation, 'watchPosition' | 'clearWatch'>;
  wakeLock: WakeLockLike | undefined;
  /** Where `visibilitychange` arrives (the document) and where `pagehide` does (the window). */
  document: EventTarget;
  window: EventTarget;
  visible(): boolean;
  /** Where failures go to be shown. */
  report(error: unknown): void;
  /** The screen cannot be kept on (refused, or no Wake Lock API): tracking will pause when it locks. */
  wakeLockRefused(error: unknown): void;
}

/**
 * Wires browser events to the patrol session while a shift is open: fixes, clock ticks, the page
 * hidden or shown, geolocation errors, the wake lock lost. The session decides; this only starts and
 * stops the GPS watch and keeps the screen on as its replies say. Returns the unwiring.
 */
export function wirePatrol(w: PatrolWiring): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  let watchId: number | null = null;
  let lock: WakeLockSentinelLike | null = null;
  let locking = false;
  /** The `since` of the tracking status the wake lock was last asked for. */
  let lockedFor = Number.NaN;

  const send = (event: PatrolEvent) => void w.send(event).then(follow, w.report);

  function follow(reply: PatrolReply | null): void {
    if (!reply || signal.aborted) return;
    if (reply.watch) startWatch();
    else stopWatch();
    // Asked once per stretch of tracking: a browser that refuses is not asked at every fix.
    if (reply.tracking.state === 'on' && reply.tracking.since !== lockedFor) {
      lockedFor = reply.tracking.since;
      void keepScreenOn();
    }
  }

  function startWatch(): void {
    if (watchId !== null) return;
    watchId = w.geolocation.watchPosition(
      (position) => send({ type: 'fix', fix: toFix(position), now: w.clock() }),
      (error) => {
        if (error.code === error.PERMISSION_DENIED) send({ type: 'permission-denied', now: w.clock() });
        else if (error.code === error.POSITION_UNAVAILABLE) send({ type: 'position-unavailable', now: w.clock() });
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 },
    );
  }

  function stopWatch(): void {
    if (watchId !== null) w.geolocation.clearWatch(watchId);
    watchId = null;
  }

  async function keepScreenOn(): Promise<void> {
    if (!w.visible() || locking || (lock && !lock.released)) return;
    if (!w.wakeLock) return w.wakeLockRefused(new Error('no Screen Wake Lock API'));
    locking = true;
    try {
      lock = await w.wakeLock.request('screen');
      lock.addEventListener('release', () => {
        // Lost while still visible (battery saver, a system dialog): the session says so, and the reply asks again.
        if (w.visible() && !signal.aborted) send({ type: 'wake-lock-lost', now: w.clock() });
      });
    } catch (error) {
      w.wakeLockRefused(error);
    } finally {
      locking = false;
    }
  }

  const timer = setInterval(() => send({ type: 'tick', now: w.clock() }), TICK_MS);
  w.document.addEventListener('visibilitychange', () => send({ type: w.visible() ? 'page-visible' : 'page-hidden', now: w.clock() }), { signal });
  // A reload or closed tab: best effort, the next start marks the gap anyway.
  w.window.addEventListener('pagehide', () => send({ type: 'page-hidden', now: w.clock() }), { signal });
  void w.start(w.visible(), w.clock()).then(follow, w.report);

  return () => {
    controller.abort();
    clearInterval(timer);
    stopWatch();
    void lock?.release().catch(w.report);
  };
}
