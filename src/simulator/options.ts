import { parseArgs } from 'node:util';

/** What one simulation does; every duration in simulated time. */
export interface SimOptions {
  url: URL;
  officers: number;
  minutes: number;
  /** Simulated seconds per real second. */
  speedup: number;
  /** Simulated seconds between an officer's fixes. */
  fixSeconds: number;
  /** Simulated seconds between an online officer's pushes (the app's outbox flush). */
  pushSeconds: number;
  /** Share of officers (0–1) without a network from the start... */
  offlineShare: number;
  /** ...for this many simulated minutes, after which they all reconnect at once. */
  offlineMinutes: number;
  /** How many officers' audit tracks are pulled at the end to prove nothing sent is missing. */
  verifySample: number;
  /** The admin who imports the simulated roster. */
  adminBadge: string;
  adminPassword: string;
  /** Seeds the choices (tracks, checkpoints, pauses), so two runs walk the same streets. */
  seed: number;
}

const USAGE = `npm run simulate -- --url http://127.0.0.1:8080 --officers N --minutes M [options]
  --speedup X            simulated seconds per real second (default 1)
  --fix-seconds S        seconds between an officer's fixes (default 5)
  --push-seconds S       seconds between an online officer's pushes (default 30)
  --offline-share P      share of officers offline from the start, 0–1 (default 0)
  --offline-minutes K    they reconnect together after K simulated minutes (default 0)
  --verify-sample N      officers whose audit track is checked at the end (default 10)
  --admin-badge B        the admin who imports the simulated roster (default A001)
  --admin-password P     that admin's password (default $XUNFANG_ADMIN_PASSWORD, else $DEMO_PASSWORD)
  --seed N               seed of the choices (default 1)`;

/** Reads the command line; every bad value is named in the thrown error. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      url: { type: 'string' },
      officers: { type: 'string' },
      minutes: { type: 'string' },
      speedup: { type: 'string', default: '1' },
      'fix-seconds': { type: 'string', default: '5' },
      'push-seconds': { type: 'string', default: '30' },
      'offline-share': { type: 'string', default: '0' },
      'offline-minutes': { type: 'string', default: '0' },
      'verify-sample': { type: 'string', default: '10' },
      'admin-badge': { type: 'string', default: 'A001' },
      'admin-password': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const problems: string[] = [];
  const number = (name: string, raw: string | undefined, min: number, max: number, integer = false): number => {
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(
        `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}${raw === undefined ? ' (required)' : `, got "${raw}"`}`,
      );
      return min;
    }
    return value;
  };
  let url: URL | null = null;
  if (!values.url) problems.push('--url is required (the server to drive, e.g. http://127.0.0.1:8080)');
  else {
    try {
      url = new URL(values.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`--url must be http(s), got "${values.url}"`);
    } catch {
      problems.push(`--url is not a URL: "${values.url}"`);
    }
  }
  const options = {
    officers: number('officers', values.officers, 1, 100_000, true),
    minutes: number('minutes', values.minutes, 1, 24 * 60),
    speedup: number('speedup', values.speedup, 0.1, 1000),
    fixSeconds: number('fix-seconds', values['fix-seconds'], 1, 3600),
    pushSeconds: number('push-seconds', values['push-seconds'], 1, 3600),
    offlineShare: number('offline-share', values['offline-share'], 0, 1),
    offlineMinutes: number('offline-minutes', values['offline-minutes'], 0, 24 * 60),
    verifySample: number('verify-sample', values['verify-sample'], 0, 100_000, true),
    seed: number('seed', values.seed, 0, 2 ** 31, true),
  };
  const adminPassword = values['admin-password'] ?? env.XUNFANG_ADMIN_PASSWORD ?? env.DEMO_PASSWORD ?? '';
  if (!adminPassword) problems.push('the admin password is needed: --admin-password, or XUNFANG_ADMIN_PASSWORD / DEMO_PASSWORD');
  if (options.offlineShare > 0 && options.offlineMinutes === 0) problems.push('--offline-share needs --offline-minutes');
  if (problems.length || !url) throw new Error(`${problems.join('\n')}\n\n${USAGE}`);
  return { ...options, url, adminBadge: values['admin-badge'], adminPassword };
}
