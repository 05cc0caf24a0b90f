import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { walkChain } from '../../domain/chain.js';
import { ISO_MS_RE } from '../../domain/ids.js';
import type { AuditTrackResponse, TrackingMark, TrackPoint, TrackVerification } from '../../domain/protocol/track-audit.js';
import type { SignedRecord } from '../../domain/records.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { DeviceKeys } from '../sync/device-keys.js';
import { checkSealNode } from '../sync/seal-verifier.js';
import { parseOr400 } from '../validate.js';

const Instant = v.pipe(v.string(), v.regex(ISO_MS_RE, 'must be ISO 8601 UTC with milliseconds, e.g. 2026-11-29T08:00:00.000Z'));
const TrackQuerySchema = v.strictObject({
  officerId: v.pipe(v.string('officerId is required'), v.minLength(1, 'officerId is required')),
  from: v.optional(Instant),
  to: v.optional(Instant),
});

/** `GET /api/audit/track`: an officer's positions in a window, with the chains behind them re-verified. */
export function trackAuditRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const devices = new DeviceKeys(db);
  return async (app: FastifyInstance) => {
    app.get('/api/audit/track', { preHandler: requireUser(ctx) }, async (request) => {
      const query = parseOr400(TrackQuerySchema, request.query);
      const from = query.from ?? '0000-01-01T00:00:00.000Z';
      const to = query.to ?? '9999-12-31T23:59:59.999Z';
      if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
      await officersInScope(db, sessionUser(request), query.officerId);

      const inWindow = await db
        .selectFrom('records')
        .select(['device_id', 'seq', 'record'])
        .where('officer_id', '=', query.officerId)
        .where('at', '>=', from)
        .where('at', '<=', to)
        .orderBy('device_id')
        .orderBy('seq')
        .execute();
      const byDevice = new Map<string, SignedRecord[]>();
      for (const row of inWindow) {
        const list = byDevice.get(row.device_id) ?? [];
        list.push(JSON.parse(row.record) as SignedRecord);
        byDevice.set(row.device_id, list);
      }

      const keys = await devices.lookup(byDevice.keys());
      const verification: TrackVerification = { ok: true, devices: [] };
      const points: TrackPoint[][] = [];
      const tracking: TrackingMark[] = [];
      for (const [deviceId, records] of byDevice) {
        const first = records[0];
        if (!first) continue;
        // The record before the window, so a deletion right at its start still shows.
        const before =
          first.seq > 1
            ? await db
                .selectFrom('records')
                .select(['seq', 'hash'])
                .where('device_id', '=', deviceId)
                .where('seq', '=', first.seq - 1)
                .executeTakeFirst()
            : undefined;
        const start = first.seq === 1 ? { seq: 0, hash: '' } : before ? { seq: before.seq, hash: before.hash } : { seq: first.seq - 1, hash: '' };
        const chain = walkChain(records, start);
        if (first.seq > 1 && !before) chain.gaps.unshift({ from: first.seq - 1, to: first.seq - 1 });
        const key = keys.get(deviceId)?.key;
        const badSignatures: number[] = [];
        const hashMismatches: number[] = [];
        const seals = await Promise.all(records.map((record) => (key ? checkSealNode(record, key) : Promise.resolve('bad-signature' as const))));
        seals.forEach((seal, i) => {
          const seq = records[i]!.seq;
          if (seal === 'bad-signature') badSignatures.push(seq);
          if (seal === 'hash-mismatch') hashMismatches.push(seq);
        });
        const device = { deviceId, records: records.length, ...chain, badSignatures, hashMismatches };
        if (device.gaps.length || device.brokenLinks.length || badSignatures.length || hashMismatches.length) verification.ok = false;
        verification.devices.push(device);
        for (const r of records) {
          if (r.kind === 'tracking') tracking.push({ id: r.id, deviceId, seq: r.seq, at: r.at, state: r.body.state, reason: r.body.reason });
        }
        points.push(
          records.flatMap((r) =>
            r.kind === 'position'
              ? [{ id: r.id, deviceId, seq: r.seq, at: r.at, fixAt: r.body.fixAt, lat: r.body.lat, lon: r.body.lon, accuracy: r.body.accuracy }]
              : [],
          ),
        );
      }
      // Devices in the order they were first used; each device's points in seq order.
      points.sort((a, b) => (a[0]?.fixAt ?? '').localeCompare(b[0]?.fixAt ?? ''));
      return { points: points.flat(), tracking, verification } satisfies AuditTrackResponse;
    });
  };
}
