import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { walkChain, type ChainHead, type ChainLink } from '../../domain/chain.js';
import { backdating } from '../../domain/backdating.js';
import { InstantSchema } from '../../domain/instant.js';
import type { AuditTrackResponse, TrackingMark, TrackPoint, TrackVerification } from '../../domain/protocol/track-audit.js';
import type { SealCheck } from '../../domain/record-crypto.js';
import type { SignedRecord } from '../../domain/records.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { parseStored } from '../records/reader.js';
import { DeviceKeys } from '../sync/device-keys.js';
import { checkSealNode } from '../sync/seal-verifier.js';
import { parseOr400 } from '../validate.js';

/** Most records per page, and the default: a 12-hour shift at 5 s fixes (8,640) fits in one. */
const PAGE_RECORDS = 10_000;
/** The longest window one request may ask about, and the window when none is given. */
const MAX_WINDOW_MS = 31 * 24 * 3600_000;
const DEFAULT_WINDOW_MS = 24 * 3600_000;
/** A page cursor: the `at` and id of the last record of the page before. */
const CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f-]{36})$/;

const TrackQuerySchema = v.strictObject({
  officerId: v.pipe(v.string('officerId is required'), v.minLength(1, 'officerId is required')),
  from: v.optional(InstantSchema),
  to: v.optional(InstantSchema),
  after: v.optional(v.pipe(v.string(), v.regex(CURSOR_RE, 'after must be the `next` of an earlier page'))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,5}$/, 'limit must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(PAGE_RECORDS, `limit must be at most ${PAGE_RECORDS}`),
    ),
    String(PAGE_RECORDS),
  ),
});

/** One stored row of a device's chain: its record, or null when the stored text no longer passes the schema. */
interface StoredLink {
  seq: number;
  hash: string;
  receivedAt: string;
  record: SignedRecord | null;
}

/**
 * `GET /api/audit/track`: an officer's positions in a window, with the chains behind them
 * re-verified. It reads the verbatim records, not the positions table: the evidence as stored
 * is what is audited, and an edit to it must show.
 */
export function trackAuditRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const devices = new DeviceKeys(db);
  return async (app: FastifyInstance) => {
    app.get('/api/audit/track', { preHandler: requireUser(ctx) }, async (request) => {
      const query = parseOr400(TrackQuerySchema, request.query);
      const to = query.to ?? (query.from ? new Date(Math.min(Date.parse(query.from) + DEFAULT_WINDOW_MS, ctx.now().getTime())) : ctx.now()).toISOString();
      const from = query.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString();
      if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
      if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_MS) throw new HttpError(400, 'bad-request', 'the window may span at most 31 days');
      await officersInScope(db, sessionUser(request), query.officerId);

      // One page in device-time order (at, then id), so a long window never loads whole.
      const after = query.after ? CURSOR_RE.exec(query.after) : null;
      let pageQuery = db
        .selectFrom('records')
        .select(['id', 'at', 'device_id', 'seq', 'hash', 'record', 'received_at'])
        .where('officer_id', '=', query.officerId)
        .where('at', '>=', from)
        .where('at', '<=', to);
      if (after?.[1] && after[2]) {
        const [afterAt, afterId] = [after[1], after[2]];
        pageQuery = pageQuery.where((eb) => eb.or([eb('at', '>', afterAt), eb.and([eb('at', '=', afterAt), eb('id', '>', afterId)])]));
      }
      const limit = query.limit;
      const page = await pageQuery
        .orderBy('at')
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const more = page.length > limit;
      const rows = (more ? page.slice(0, limit) : page).sort((a, b) => a.device_id.localeCompare(b.device_id) || Number(a.seq) - Number(b.seq));
      const last = more ? page[limit - 1] : undefined;
      const next = last ? `${last.at}_${last.id}` : null;
      const byDevice = new Map<string, StoredLink[]>();
      for (const row of rows) {
        const list = byDevice.get(row.device_id) ?? [];
        const parsed = parseStored(row.record);
        list.push({ seq: Number(row.seq), hash: row.hash, receivedAt: row.received_at, record: 'record' in parsed ? parsed.record : null });
        byDevice.set(row.device_id, list);
      }

      const [keys, before, registered] = await Promise.all([
        devices.lookup(byDevice.keys()),
        recordsBefore(db, byDevice),
        registrationTimes(db, [...byDevice.keys()]),
      ]);
      const verification: TrackVerification = { ok: true, devices: [] };
      const points: TrackPoint[][] = [];
      const tracking: TrackingMark[] = [];
      for (const [deviceId, links] of byDevice) {
        const first = links[0];
        if (!first) continue;
        // The record before the window, so a deletion right at its start still shows.
        const previous = first.seq === 1 ? { seq: 0, hash: '' } : before.get(deviceId);
        const chain = walkChain(chainLinks(links, previous), previous ?? { seq: first.seq - 1, hash: '' });
        if (!previous) chain.gaps.unshift({ from: first.seq - 1, to: first.seq - 1 });
        const key = keys.get(deviceId)?.key;
        const badSignatures: number[] = [];
        const hashMismatches: number[] = [];
        const seals = await checkSeals(links, key);
        seals.forEach((seal, i) => {
          const seq = links[i]!.seq;
          if (seal === 'bad-signature') badSignatures.push(seq);
          // Everything stored passed the schema at push: text that no longer does was altered since.
          if (seal === 'hash-mismatch' || seal === 'unreadable') hashMismatches.push(seq);
        });
        const device = { deviceId, records: links.length, ...chain, badSignatures, hashMismatches };
        if (device.gaps.length || device.brokenLinks.length || badSignatures.length || hashMismatches.length) verification.ok = false;
        verification.devices.push(device);
        for (const { record: r } of links) {
          if (r?.kind === 'tracking') tracking.push({ id: r.id, deviceId, seq: r.seq, at: r.at, state: r.body.state, reason: r.body.reason });
        }
        points.push(
          links.flatMap(({ record: r, receivedAt }) =>
            r?.kind === 'position'
              ? [
                  {
                    id: r.id,
                    deviceId,
                    seq: r.seq,
                    at: r.at,
                    fixAt: r.body.fixAt,
                    lat: r.body.lat,
                    lon: r.body.lon,
                    accuracy: r.body.accuracy,
                    receivedAt,
                    flag: backdating(r.at, receivedAt, registered.get(deviceId) ?? null),
                  },
                ]
              : [],
          ),
        );
      }
      // Devices in the order they were first used; each device's points in seq order.
      points.sort((a, b) => (a[0]?.fixAt ?? '').localeCompare(b[0]?.fixAt ?? ''));
      return { from, to, points: points.flat(), tracking, verification, next } satisfies AuditTrackResponse;
    });
  };
}

/**
 * Each stored record's seal, every record's own signature included: the audit is where a record
 * whose content its chain vouches for but whose own signature is wrong still shows. (8,640
 * verifies, a 12-hour shift, take about 0.7 s of the thread pool here.)
 */
function checkSeals(links: readonly StoredLink[], key: KeyObject | undefined): Promise<Array<SealCheck | 'unreadable'>> {
  return Promise.all(links.map(({ record }) => (record === null ? 'unreadable' : key ? checkSealNode(record, key) : 'bad-signature')));
}

/** When each device was registered: records dated before it are flagged. */
async function registrationTimes(db: Kysely<Tables>, deviceIds: readonly string[]): Promise<Map<string, string>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db.selectFrom('devices').select(['id', 'registered_at']).where('id', 'in', deviceIds).execute();
  return new Map(rows.map((r) => [r.id, r.registered_at]));
}

/** For each device whose window starts after seq 1, the stored record just before it: one query for all. */
async function recordsBefore(db: Kysely<Tables>, byDevice: ReadonlyMap<string, readonly StoredLink[]>): Promise<Map<string, ChainHead>> {
  const wanted = [...byDevice].flatMap(([deviceId, links]) => (links[0] && links[0].seq > 1 ? [{ deviceId, seq: links[0].seq - 1 }] : []));
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('records')
    .select(['device_id', 'seq', 'hash'])
    .where((eb) => eb.or(wanted.map((w) => eb.and([eb('device_id', '=', w.deviceId), eb('seq', '=', w.seq)]))))
    .execute();
  return new Map(rows.map((r) => [r.device_id, { seq: Number(r.seq), hash: r.hash }]));
}

/**
 * The chain as stored. An unreadable record keeps its place by the seq and hash stored beside it
 * and is taken to link to its predecessor: it is already reported, and must not also read as a
 * gap or a broken link.
 */
function chainLinks(links: readonly StoredLink[], previous: ChainHead | undefined): ChainLink[] {
  let last = previous;
  return links.map(({ seq, hash, record }) => {
    const link = record ?? { seq, hash, prev: last && last.seq === seq - 1 ? last.hash : '' };
    last = { seq: link.seq, hash: link.hash };
    return link;
  });
}
