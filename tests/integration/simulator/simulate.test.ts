import { afterEach, describe, expect, it } from 'vitest';
import type { RosterResponse } from '../../../src/domain/protocol/accounts.js';
import type { ComplianceResponse } from '../../../src/domain/protocol/compliance.js';
import { parseOptions } from '../../../src/simulator/options.js';
import { simulate } from '../../../src/simulator/run.js';
import { Client, DATABASES, freshStorage, spawnServer, stopServer } from '../harness.js';

// The simulator against the built server in its own process (its real clock: the simulated one
// ends at the real now), through the real API only, on each database.

const PASSWORD = 'sim-admin-pass-1';

describe('npm run simulate', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.each(DATABASES)(
    'creates simulated officers through the roster import, patrols with check-ins, pauses and a share offline, and the %s server holds every record once',
    async (kind) => {
      const storage = await freshStorage(kind);
      cleanups.push(storage.drop);
      const { child, url } = await spawnServer({ ...storage.env, DEMO_PASSWORD: PASSWORD });
      cleanups.push(() => stopServer(child));
      const args = [
        '--url',
        url,
        '--officers',
        '8',
        '--minutes',
        '5',
        '--speedup',
        '60',
        '--offline-share',
        '0.25',
        '--offline-minutes',
        '4',
        '--admin-password',
        PASSWORD,
      ];

      const report = await simulate(parseOptions(args));
      expect(report.officers).toBe(8);
      expect(report.rejected).toBe(0);
      expect(report.accepted).toBe(report.sent);
      expect(report.unsettled).toBe(0);
      expect(report.verified).toBe(8);
      expect(report.missing).toBe(0);
      expect(report.brokenChains).toBe(0);
      // Every officer starts and ends a shift, pauses once, and checks in where the walk stops.
      expect(report.byKind).toMatchObject({ 'shift.start': 8, 'shift.end': 8, tracking: 32 });
      expect(report.byKind.checkin).toBeGreaterThanOrEqual(8);
      expect(report.byKind.position).toBeGreaterThan(8 * 40);

      const admin = new Client(url);
      await admin.login('A001', PASSWORD);
      const { people } = (await (await admin.request('GET', '/api/admin/users')).json()) as RosterResponse;
      const simulated = people.filter((p) => p.simulated);
      expect(simulated.map((p) => p.badge).sort()).toEqual(['SIM0001', 'SIM0002', 'SIM0003', 'SIM0004', 'SIM0005', 'SIM0006', 'SIM0007', 'SIM0008']);
      // No real report counts them.
      const supervisor = new Client(url);
      await supervisor.login('S001', PASSWORD);
      const compliance = (await (await supervisor.request('GET', '/api/compliance')).json()) as ComplianceResponse;
      expect(JSON.stringify(compliance)).not.toContain('SIM0');

      // A second run renews the same accounts (new one-time passwords) and still loses nothing.
      const again = await simulate(
        parseOptions([...args.slice(0, 2), '--officers', '3', '--minutes', '2', '--speedup', '60', '--admin-password', PASSWORD, '--seed', '2']),
      );
      expect(again).toMatchObject({ rejected: 0, unsettled: 0, missing: 0, brokenChains: 0 });
      expect(again.accepted).toBe(again.sent);
    },
    180_000,
  );
});
