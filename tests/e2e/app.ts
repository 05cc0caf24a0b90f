import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from '../integration/harness.js';

/** The PIN every test officer chooses at their first sign-in on a browser profile. */
export const TEST_PIN = '246810';

/**
 * Signs in through the login form, as an officer would type it; the first sign-in on a browser
 * profile then chooses the unlock PIN (issue 16), as the officer would, and waits for the app.
 */
export async function signIn(page: Page, badge: string, password = PASSWORD, pin = TEST_PIN): Promise<void> {
  await page.getByLabel('警号').fill(badge);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  const setup = page.getByTestId('pin-setup');
  // Either the PIN screen, or the app (the device already had this officer's PIN), or an error on the form.
  await page.waitForFunction(
    () => !!document.querySelector('[data-testid="pin-setup"], form .form-error') || !document.querySelector('input[name="password"]'),
    null,
    {
      timeout: 30_000,
    },
  );
  if (!(await setup.isVisible())) return;
  await setup.locator('input[name="new-pin"]').fill(pin);
  await setup.locator('input[name="confirm-pin"]').fill(pin);
  await setup.locator('button[type="submit"]').click();
  await setup.waitFor({ state: 'detached', timeout: 30_000 });
}

/** Types the PIN on the lock screen (after a reload or a restart, or behind the idle lock) and waits for the app. */
export async function unlock(page: Page, pin = TEST_PIN): Promise<void> {
  const screen = page.getByTestId('lock-screen');
  await screen.locator('input[name="pin"]').fill(pin);
  await screen.locator('button[type="submit"]').click();
  await screen.waitFor({ state: 'detached', timeout: 30_000 });
}

/** Collects CSP violations and uncaught page errors; a test expects the list to stay empty. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** How many records the sync indicator says are still waiting to be sent. */
export async function recordsWaiting(page: Page): Promise<number> {
  return Number(await page.getByTestId('sync-waiting').getAttribute('data-waiting'));
}

/** True once nothing waits and no sync run is under way (its pull goes on after the count reaches 0). */
export async function syncSettled(page: Page): Promise<boolean> {
  const indicator = page.getByTestId('sync-waiting');
  return (await indicator.getAttribute('data-waiting')) === '0' && (await indicator.getAttribute('data-syncing')) === 'false';
}

/** How many entries one store of the device database holds, read straight from IndexedDB. */
export function storeCount(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('xunfang');
        open.onsuccess = () => {
          const count = open.result.transaction(name).objectStore(name).count();
          count.onsuccess = () => (resolve(count.result), open.result.close());
          count.onerror = () => reject(count.error);
        };
        open.onerror = () => reject(open.error);
      }),
    store,
  );
}

/** Records in the outbox, counted on its clear index (as the lock screen does, with no key): the device's own truth, not the indicator's. */
export const outboxCount = (page: Page): Promise<number> => storeCount(page, 'OUTBOX');

interface PageFixes {
  xfFixes: number;
  xfWatches: number;
}

/**
 * The page's clock starts this far behind the server's. A test runs it faster than real time, and
 * a record dated ahead of the server's clock falls outside the server's default windows (they end
 * at its now); a device a few minutes slow is an ordinary phone.
 */
const PAGE_CLOCK_BEHIND_MS = 10 * 60_000;

/**
 * Lets `page.clock` drive a patrol: installs it (flowing like real time until a test pauses it),
 * and re-stamps each fix with it. Chromium stamps an emulated fix with its own wall clock, which
 * page.clock does not move, so the app would judge fixes by a different clock than its own; the
 * rest (the permission, watchPosition, its errors, the positions) is Chromium's own. Counts the
 * fixes delivered and the watches running, so a test waits for a fix to land before moving the
 * clock on. Call before the page loads. `behindMs: 0` for a phone in step with the server, when
 * another phone shows the fixes' ages.
 */
export async function installPatrolClock(page: Page, { behindMs = PAGE_CLOCK_BEHIND_MS } = {}): Promise<void> {
  await page.clock.install({ time: Date.now() - behindMs });
  await page.addInitScript(() => {
    const counts = window as unknown as PageFixes;
    counts.xfFixes = 0;
    counts.xfWatches = 0;
    const restamp =
      (success: PositionCallback): PositionCallback =>
      (position) => {
        try {
          success({ coords: position.coords, timestamp: Date.now(), toJSON: () => ({ coords: position.coords.toJSON(), timestamp: Date.now() }) });
        } finally {
          counts.xfFixes++;
        }
      };
    const { watchPosition, clearWatch, getCurrentPosition } = Geolocation.prototype;
    Geolocation.prototype.watchPosition = function (success, error, options) {
      counts.xfWatches++;
      return watchPosition.call(this, restamp(success), error, options);
    };
    Geolocation.prototype.clearWatch = function (id) {
      counts.xfWatches--;
      clearWatch.call(this, id);
    };
    Geolocation.prototype.getCurrentPosition = function (success, error, options) {
      getCurrentPosition.call(this, restamp(success), error, options);
    };
  });
}

/** How many fixes have reached the page, and how many geolocation watches it runs (see installPatrolClock). */
export function geolocationUse(page: Page): Promise<{ fixes: number; watches: number }> {
  return page.evaluate(() => {
    const counts = window as unknown as PageFixes;
    return { fixes: counts.xfFixes, watches: counts.xfWatches };
  });
}

/** Moves the emulated position and waits until the app's watch has received it. */
export async function deliverFix(context: BrowserContext, page: Page, at: { lat: number; lon: number }): Promise<void> {
  const before = (await geolocationUse(page)).fixes;
  await context.setGeolocation({ latitude: at.lat, longitude: at.lon, accuracy: 5 });
  await expect.poll(async () => (await geolocationUse(page)).fixes, { timeout: 10_000 }).toBeGreaterThan(before);
}

/**
 * Taps 上报当前位置 at `at`, as the officer would, and waits until the button is back. The report
 * takes a fix at most 10 s old (shift.ts). A real receiver keeps delivering them; Chromium's
 * emulation delivers one only when the position is set, stamped with that moment, so a report more
 * than 10 s after the last setting (a loaded CI machine takes that long to sign in) waited out its
 * 20 s timeout and said nothing. Setting the position first gives the report a fix of now.
 */
export async function reportPosition(context: BrowserContext, page: Page, at: { lat: number; lon: number }): Promise<void> {
  await context.setGeolocation({ latitude: at.lat, longitude: at.lon, accuracy: 6 });
  const button = page.getByRole('button', { name: '上报当前位置' });
  await button.click();
  await button.and(page.locator(':enabled')).waitFor();
}

/**
 * Where each of a map's names stands: 'clear' when it is whole on the map and off its controls
 * (the zoom buttons, the scale bar), else 'not shown', 'past the edge' or 'under a control'.
 * Names are placed again when the map comes to rest: poll it.
 */
export async function namePlacement(map: Locator, names: Locator): Promise<string[]> {
  type Box = { x: number; y: number; width: number; height: number };
  const box = (await map.boundingBox())!;
  const controls = (await Promise.all(['top-right', 'top-left'].map((corner) => map.locator(`.maplibregl-ctrl-${corner}`).boundingBox()))).filter(
    (b): b is Box => b !== null,
  );
  const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  return Promise.all(
    (await names.all()).map(async (name) => {
      const at = await name.boundingBox();
      if (!at) return 'not shown';
      const inside = at.x >= box.x && at.x + at.width <= box.x + box.width && at.y >= box.y && at.y + at.height <= box.y + box.height;
      return !inside ? 'past the edge' : controls.some((control) => overlap(at, control)) ? 'under a control' : 'clear';
    }),
  );
}

/** Stops the page's clock a moment from now: from then on, time moves only when the test says (`page.clock.runFor`). */
export async function pauseClock(page: Page): Promise<void> {
  // A little ahead, because the clock still flows while this call travels (pauseAt refuses the
  // past); on a busy machine the trip can take longer than that, so try again a little further.
  for (let ahead = 250; ; ahead *= 2) {
    try {
      return await page.clock.pauseAt((await page.evaluate(() => Date.now())) + ahead);
    } catch (error) {
      if (ahead >= 2000 || !/to the past/.test(String(error))) throw error;
    }
  }
}

/** Patrol events the app has not yet written (the tracking state's data-pending). */
export async function patrolPending(page: Page): Promise<number> {
  return Number(await page.getByTestId('tracking-state').getAttribute('data-pending'));
}

/**
 * Every value of every IndexedDB database of the page's origin, as one text: binary values
 * (ciphertext, salts) decoded as UTF-8 so a plaintext inside them would still show. Read raw,
 * as someone who copied the browser's storage would, not through the app.
 */
export function rawIndexedDb(page: Page): Promise<{ text: string; values: number; databases: string[] }> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    const decoder = new TextDecoder('utf-8');
    const dump = async (value: unknown): Promise<void> => {
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) parts.push(decoder.decode(value));
      else if (value instanceof Blob) parts.push(decoder.decode(await value.arrayBuffer()));
      else if (Array.isArray(value)) for (const item of value) await dump(item);
      else if (value && typeof value === 'object')
        for (const [key, item] of Object.entries(value)) {
          parts.push(key);
          await dump(item);
        }
      else parts.push(String(value));
    };
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    let values = 0;
    const names = (await indexedDB.databases()).flatMap((d) => (d.name ? [d.name] : []));
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      for (const store of [...db.objectStoreNames]) {
        const [keys, all] = await Promise.all([
          request(db.transaction(store).objectStore(store).getAllKeys()),
          request(db.transaction(store).objectStore(store).getAll()),
        ]);
        values += all.length;
        await dump(keys);
        await dump(all);
      }
      db.close();
    }
    return { text: parts.join('\n'), values, databases: names };
  });
}
