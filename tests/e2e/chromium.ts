import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium comes from, in DESIGN.md's order: $CHROMIUM_PATH, Debian's package, then @sparticuz/chromium. */
export async function findChromium(): Promise<{ path: string; source: string }> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, source: 'CHROMIUM_PATH' };
  }
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: 'debian' };
  // The npm package unpacks its brotli-compressed headless shell (and the libraries it needs) into /tmp.
  const sparticuz = (await import('@sparticuz/chromium')).default;
  return { path: await sparticuz.executablePath(), source: '@sparticuz/chromium' };
}

/** Our own flags; never --disable-web-security, which would hide CSP and same-origin bugs. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
];

/** Launches headless Chromium; `webgl` swaps --disable-gpu for SwiftShader so maplibre gets a context. */
export async function launchChromium(options: { webgl?: boolean } = {}): Promise<Browser> {
  const { path } = await findChromium();
  const gpu = options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : ['--disable-gpu'];
  return chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS, ...gpu], headless: true });
}

/** A browser whose profile lives in `userDataDir`, so IndexedDB and the service worker survive a restart. */
export async function launchPersistent(userDataDir: string, options: Parameters<typeof chromium.launchPersistentContext>[1] = {}) {
  const { path } = await findChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: path,
    args: [...CHROMIUM_ARGS, '--disable-gpu'],
    headless: true,
    ...options,
  });
}
