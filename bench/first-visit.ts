import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/e2e/chromium.js';
import { signIn } from '../tests/e2e/app.js';
import { startServer, type TestServer } from '../tests/integration/harness.js';
import { median } from './support.js';

// The first visit of a phone: what it downloads before the officer's home works offline (the
// page, the service worker and its whole precache: the map chunk, maplibre's worker, the
// coastline data), and how soon the sign-in form shows and can be used on a mid-tier phone.
// Baseline in the same run: the same build with its .br/.gz files removed, as it was served
// before precompression. Bytes are counted on the wire by a TCP relay between Chromium and the
// server (headers included; the service worker's own fetches included, which a page's
// performance entries would miss).

/** A mid-tier phone on a middling mobile network (Lighthouse's "slow 4G" link, 4× slower CPU). */
const PHONE = { latencyMs: 150, downBps: 1.6e6, upBps: 750e3, cpuSlowdown: 4 };
const LOADS = 3;

/** Relays TCP to `port`, counting the bytes the server sends. */
async function countingRelay(port: number): Promise<{ url: string; received(): number; close(): Promise<void> }> {
  let bytes = 0;
  const relay: Server = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    upstream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    received: () => bytes,
    close: () => new Promise((resolve) => relay.close(() => resolve())),
  };
}

/** Bytes from the first request until the officer's home is open and nothing more arrives for a second. */
async function firstVisitBytes(browser: Browser, server: TestServer): Promise<number> {
  const relay = await countingRelay(Number(new URL(server.url).port));
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await page.goto(relay.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await signIn(page, 'J001'); // and the PIN every role sets on a new device
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    let last = -1;
    while (relay.received() !== last) {
      last = relay.received();
      await page.waitForTimeout(1000);
    }
    return last;
  } finally {
    await context.close();
    await relay.close();
  }
}

interface Paint {
  fcp: number;
  usable: number;
}

/** One cold load of the sign-in page on the phone profile: first contentful paint, and the form ready for input. */
async function throttledLoad(browser: Browser, url: string): Promise<Paint> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: PHONE.latencyMs,
      downloadThroughput: PHONE.downBps / 8,
      uploadThroughput: PHONE.upBps / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuSlowdown });
    await page.goto(url, { waitUntil: 'commit' });
    // Checked every frame: the first one with the badge field and an enabled sign-in button.
    await page.waitForFunction(
      () => {
        const w = window as unknown as { xfUsable?: number };
        const button = document.querySelector<HTMLButtonElement>('form button[type="submit"]');
        if (!document.querySelector('input[autocomplete="username"]') || !button || button.disabled) return false;
        w.xfUsable ??= performance.now();
        return true;
      },
      null,
      { polling: 'raf', timeout: 60_000 },
    );
    return await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      usable: (window as unknown as { xfUsable: number }).xfUsable,
    }));
  } finally {
    await context.close();
  }
}

async function measure(browser: Browser, staticDir: string, label: string): Promise<{ bytes: number; fcp: number; usable: number }> {
  const server = await startServer('sqlite', { staticDir });
  try {
    const bytes = await firstVisitBytes(browser, server);
    const loads: Paint[] = [];
    for (let i = 0; i < LOADS; i++) loads.push(await throttledLoad(browser, server.url));
    const fcp = median(loads.map((l) => l.fcp));
    const usable = median(loads.map((l) => l.usable));
    console.log(
      `${label}: first visit ${(bytes / 1024).toFixed(0)} kB on the wire; sign-in page on the phone profile: first contentful paint ${fcp.toFixed(0)} ms, form usable ${usable.toFixed(0)} ms (median of ${LOADS})`,
    );
    return { bytes, fcp, usable };
  } finally {
    await server.close();
  }
}

export async function run(): Promise<void> {
  const plain = mkdtempSync(join(tmpdir(), 'xf-plain-'));
  cpSync('dist/app', plain, { recursive: true, filter: (path) => !/\.(br|gz)$/.test(path) });
  const browser = await launchChromium();
  try {
    console.log(`phone profile: ${PHONE.latencyMs} ms RTT, ${PHONE.downBps / 1e6} Mbps down, ${PHONE.upBps / 1e6} Mbps up, CPU ${PHONE.cpuSlowdown}× slower`);
    const before = await measure(browser, plain, 'uncompressed (baseline)');
    const after = await measure(browser, 'dist/app', 'brotli/gzip');
    console.log(`first contentful paint ${(before.fcp / after.fcp).toFixed(2)}× sooner, usable form ${(before.usable / after.usable).toFixed(2)}× sooner`);
    console.log(`bench first-visit: ${(after.bytes / 1024).toFixed(0)} kB, ${(before.bytes / after.bytes).toFixed(2)}× fewer bytes vs uncompressed`);
  } finally {
    await browser.close();
    rmSync(plain, { recursive: true, force: true });
  }
}
