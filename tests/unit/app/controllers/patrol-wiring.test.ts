import 'fake-indexeddb/auto'; // the app's state modules open their database on import
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PatrolWiring, wirePatrol } from '../../../../src/app/controllers/patrol-wiring.js';
import type { PatrolEvent, PatrolReply, TrackingStatus } from '../../../../src/domain/patrol-session.js';

// The wiring with everything injected: a geolocation that delivers when told, a wake lock that
// can be lost, a session whose replies the test decides, and vitest's fake timers for the tick.

const on = (since: number, reason: TrackingStatus['reason'] = 'shift-start'): PatrolReply => ({
  records: [],
  inside: [],
  tracking: { state: 'on', reason, since },
  watch: true,
});
const paused = (since: number, reason: TrackingStatus['reason']): PatrolReply => ({
  records: [],
  inside: [],
  tracking: { state: 'paused', reason, since },
  watch: false,
});

class FakeGeolocation {
  watches = new Map<number, { success: PositionCallback; error: PositionErrorCallback | null | undefined }>();
  private next = 1;
  watchPosition(success: PositionCallback, error?: PositionErrorCallback | null): number {
    this.watches.set(this.next, { success, error });
    return this.next++;
  }
  clearWatch(id: number): void {
    this.watches.delete(id);
  }
  deliver(lat: number, lon: number, timestamp: number): void {
    const coords = { latitude: lat, longitude: lon, accuracy: 5, altitude: null, altitudeAccuracy: null, heading: Number.NaN, speed: null };
    for (const w of this.watches.values()) w.success({ coords, timestamp } as unknown as GeolocationPosition);
  }
  fail(code: number): void {
    const error = { code, PERMISSION_DENIED: 1, POSITION_UNAVAILABLE: 2, TIMEOUT: 3, message: '' } as GeolocationPositionError;
    for (const w of this.watches.values()) w.error?.(error);
  }
}

class FakeLock extends EventTarget {
  released = false;
  release(): Promise<void> {
    this.released = true;
    this.dispatchEvent(new Event('release'));
    return Promise.resolve();
  }
}

function setUp(answer: (event: PatrolEvent) => PatrolReply | null = () => null) {
  const events: PatrolEvent[] = [];
  const geolocation = new FakeGeolocation();
  const locks: FakeLock[] = [];
  const page = { visible: true, document: new EventTarget(), window: new EventTarget() };
  let now = 1_000;
  const wiring: PatrolWiring = {
    start: () => Promise.resolve(on(now)),
    send: (event) => {
      events.push(event);
      return Promise.resolve(answer(event));
    },
    clock: () => now,
    geolocation,
    wakeLock: {
      request: () => {
        const lock = new FakeLock();
        locks.push(lock);
        return Promise.resolve(lock);
      },
    },
    document: page.document,
    window: page.window,
    visible: () => page.visible,
    report: (error) => {
      throw error;
    },
    wakeLockRefused: () => undefined,
  };
  const unwire = wirePatrol(wiring);
  return {
    events,
    geolocation,
    locks,
    page,
    unwire,
    tickTo: (t: number) => (now = t),
    settle: () => vi.advanceTimersByTimeAsync(0),
  };
}

describe('wirePatrol', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('watches once the session says so, and sends each fix as one event with the time it arrived', async () => {
    const t = setUp((e) => (e.type === 'fix' ? on(1_000) : null));
    expect(t.geolocation.watches.size).toBe(0);
    await t.settle();
    expect(t.geolocation.watches.size).toBe(1);
    t.tickTo(2_500);
    t.geolocation.deliver(23.11, 114.41, 2_300);
    expect(t.events).toEqual([
      { type: 'fix', now: 2_500, fix: { lat: 23.11, lon: 114.41, accuracy: 5, altitude: null, speed: null, heading: null, fixAt: 2_300 } },
    ]);
  });

  it('tells the session the page hid and showed, and stops and restarts the watch as the replies say', async () => {
    const t = setUp((e) => (e.type === 'page-hidden' ? paused(2_000, 'page-hidden') : e.type === 'page-visible' ? on(3_000, 'page-visible') : null));
    await t.settle();
    t.page.visible = false;
    t.page.document.dispatchEvent(new Event('visibilitychange'));
    await t.settle();
    expect(t.geolocation.watches.size).toBe(0);
    t.page.visible = true;
    t.page.document.dispatchEvent(new Event('visibilitychange'));
    await t.settle();
    expect(t.geolocation.watches.size).toBe(1);
    t.page.window.dispatchEvent(new Event('pagehide'));
    expect(t.events.map((e) => e.type)).toEqual(['page-hidden', 'page-visible', 'page-hidden']);
  });

  it('passes on geolocation errors that matter and the clock every 5 s', async () => {
    const t = setUp();
    await t.settle();
    t.geolocation.fail(1);
    t.geolocation.fail(2);
    t.geolocation.fail(3); // a timeout: the next fix or the tick will tell
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.events.map((e) => e.type)).toEqual(['permission-denied', 'position-unavailable', 'tick', 'tick']);
  });

  it('keeps the screen on once per stretch of tracking, reports a lock lost while visible, and asks again after', async () => {
    const t = setUp((e) => (e.type === 'wake-lock-lost' ? on(5_000, 'wake-lock-lost') : e.type === 'fix' ? on(1_000) : null));
    await t.settle();
    expect(t.locks).toHaveLength(1);
    t.geolocation.deliver(23.11, 114.41, 1_500);
    await t.settle();
    expect(t.locks).toHaveLength(1);
    await t.locks[0]!.release();
    await t.settle();
    expect(t.events.map((e) => e.type)).toEqual(['fix', 'wake-lock-lost']);
    expect(t.locks).toHaveLength(2);
  });

  it('unwiring stops the watch and the tick and lets the screen go, without telling the session', async () => {
    const t = setUp();
    await t.settle();
    t.unwire();
    expect(t.geolocation.watches.size).toBe(0);
    expect(t.locks[0]!.released).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.events).toEqual([]);
  });
});
