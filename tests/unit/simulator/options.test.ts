import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../../src/simulator/options.js';

describe('simulator options', () => {
  it('reads a full command line', () => {
    const options = parseOptions(
      [
        '--url',
        'http://127.0.0.1:8080',
        '--officers',
        '20',
        '--minutes',
        '15',
        '--speedup',
        '10',
        '--offline-share',
        '0.1',
        '--offline-minutes',
        '30',
        '--admin-password',
        'pw',
      ],
      {},
    );
    expect(options).toMatchObject({
      officers: 20,
      minutes: 15,
      speedup: 10,
      offlineShare: 0.1,
      offlineMinutes: 30,
      fixSeconds: 5,
      pushSeconds: 30,
      adminBadge: 'A001',
    });
    expect(options.url.href).toBe('http://127.0.0.1:8080/');
  });

  it('takes the admin password from DEMO_PASSWORD when none is given', () => {
    expect(parseOptions(['--url', 'http://localhost:1', '--officers', '1', '--minutes', '1'], { DEMO_PASSWORD: 'demo' }).adminPassword).toBe('demo');
  });

  it('names every bad value at once', () => {
    let message = '';
    try {
      parseOptions(['--url', 'ftp://x', '--officers', '2.5', '--minutes', '0', '--offline-share', '0.2'], {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('--url must be http(s)');
    expect(message).toContain('--officers must be a whole number');
    expect(message).toContain('--minutes must be a number from 1');
    expect(message).toContain('--offline-share needs --offline-minutes');
    expect(message).toContain('admin password is needed');
    expect(message).toContain('npm run simulate --');
  });

  it('refuses an option it does not know', () => {
    expect(() => parseOptions(['--url', 'http://x', '--officers', '1', '--minutes', '1', '--bogus', '1'], { DEMO_PASSWORD: 'x' })).toThrow(/bogus/);
  });
});
