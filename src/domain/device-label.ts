// A short human name for a device, made from what its browser says about itself, so the admin's
// device list reads "Android · Chrome 131" instead of "unnamed device".

/** What a browser tells about itself: `navigator.userAgent`, and `navigator.userAgentData` where there is one (Chromium). */
export interface BrowserIdentity {
  userAgent: string;
  userAgentData?: { platform: string; brands: readonly { brand: string; version: string }[] } | undefined;
}

/** Client-hint brands by preference: the browser over the engine it is built on; GREASE brands never match. */
const BRANDS: readonly [RegExp, string][] = [
  [/^Microsoft Edge$/, 'Edge'],
  [/^Opera$/, 'Opera'],
  [/^Google Chrome$/, 'Chrome'],
  [/^HeadlessChrome$/, 'Chrome'],
  [/^Chromium$/, 'Chromium'],
];

/** User-agent tokens, most specific first: WeChat and Edge also say "Chrome", Chrome also says "Safari". */
const BROWSERS: readonly [RegExp, string][] = [
  [/MicroMessenger\/(\d+)/, 'WeChat'],
  [/EdgA?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/UCBrowser\/(\d+)/, 'UC'],
  [/HuaweiBrowser\/(\d+)/, 'Huawei Browser'],
  [/FxiOS\/(\d+)/, 'Firefox'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/(?:Headless)?Chrome\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

const PLATFORMS: readonly [RegExp, string][] = [
  [/Android/, 'Android'],
  [/HarmonyOS|OpenHarmony/, 'HarmonyOS'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Macintosh|Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Platform · Browser version", either part left out when unknown; undefined when nothing is known. */
export function deviceLabel(identity: BrowserIdentity): string | undefined {
  const ua = identity.userAgent;
  const hints = identity.userAgentData;
  // The user agent first for the browser: client hints name WeChat's and other in-app browsers "Chromium".
  let browser = firstMatch(BROWSERS, ua);
  if (!browser || browser.startsWith('Chrome ')) {
    const hinted = BRANDS.flatMap(([pattern, name]) => {
      const brand = hints?.brands.find((b) => pattern.test(b.brand));
      return brand ? [`${name} ${brand.version.split('.')[0] ?? ''}`.trim()] : [];
    })[0];
    browser = hinted ?? browser;
  }
  const platform = hints?.platform || firstMatch(PLATFORMS, ua)?.trim();
  const label = [platform, browser].filter(Boolean).join(' · ');
  return label ? label.slice(0, 100) : undefined;
}

function firstMatch(table: readonly [RegExp, string][], text: string): string | undefined {
  for (const [pattern, name] of table) {
    const match = pattern.exec(text);
    if (match) return match[1] ? `${name} ${match[1]}` : name;
  }
  return undefined;
}
