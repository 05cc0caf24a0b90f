import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import * as v from 'valibot';
import { InstantSchema } from '../../domain/instant.js';
import { newId } from '../../domain/ids.js';
import type { NativeProtocol } from '../../domain/native-trackers.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Role } from '../../domain/roles.js';
import type { AuditShiftsResponse, AuditTrackResponse, NativeTrackResponse, RouteViewsResponse, TrackPoint } from '../../domain/protocol/track-audit.js';
import { windowVerdict } from '../../domain/route-analysis.js';
import type { AuditVerdict } from '../../domain/route-replay.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { CURSOR_RE, readTrackPage, verifiedTrack, type TrackPage } from '../records/audit-track.js';
import { cachedVerdicts, claimShiftVerdict, computeShiftVerdict, fillShiftVerdict, verdictKey, type VerdictShift } from '../records/shift-verdicts.js';
import { DeviceKeys } from '../sync/device-keys.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/** Most records per page, and the default: a 12-hour shift at 5 s fixes (8,640) fits in one. */
const PAGE_RECORDS = 10_000;
/** The longest window one request may ask about, and the window when none is given. */
const MAX_WINDOW_MS = 31 * 24 * 3600_000;
const DEFAULT_WINDOW_MS = 24 * 3600_000;

const IdSchema = (name: string) => v.pipe(v.string(`${name} is required`), v.minLength(1, `${name} is required`));

const TrackQuerySchema = v.strictObject({
  officerId: IdSchema('officerId'),
  /** One of the officer's shifts: its window, instead of from and to. */
  shiftId: v.optional(IdSchema('shiftId')),
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

/**
 * `GET /api/audit/track`: an officer's positions in a window (from and to, or one shift's), with
 * the chains behind them re-verified and, on a page that is the whole window, its verdict. It
 * reads the verbatim records, not the positions table: the evidence as stored is what is
 * audited, and an edit to it must show. A shift's verdict found so is the one its list shows.
 */
export function trackAuditRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const devices = new DeviceKeys(db);
  return async (app: FastifyInstance) => {
    const trackDoc = doc({
      summary: "An officer's positions in a window or a shift, page by page, with the chain's verification and the window's verdict",
      query: TrackQuerySchema,
    });
    app.get('/api/audit/track', { preHandler: requireUser(ctx), ...trackDoc }, async (request, reply) => {
      const query = parseOr400(TrackQuerySchema, request.query);
      const viewer = sessionUser(request);
      await officersInScope(db, viewer, query.officerId);
      const shift = query.shiftId === undefined ? null : await shiftOf(db, query.officerId, query.shiftId, query);
      const now = ctx.now();
      const { from, to } = auditWindow(shift ? { from: shift.startedAt, to: shift.endedAt ?? now.toISOString() } : query, now);
      // A look is logged once, with its first page: the pages after it are the same look. A
      // shift's first page also claims its cached verdict (over this same window): what this look
      // finds replaces it. One transaction, one commit, before the reading.
      const claim = query.after
        ? null
        : await db.transaction().execute(async (trx) => {
            await logRouteView(trx, now, viewer, query.officerId, 'track', { from, to });
            return shift ? claimShiftVerdict(trx, shift, now) : null;
          });
      const page = await readTrackPage(db, devices, { officerId: query.officerId, from, to, after: query.after, limit: query.limit });
      const found: { verdict: AuditVerdict | null } = { verdict: null };
      // The cache is written once the answer is out: never a write between the verdict and the viewer.
      if (claim)
        reply.raw.once('finish', () => {
          if (found.verdict) fillShiftVerdict(db, claim, found.verdict).catch((error: unknown) => request.log.error(error, 'the shift verdict was not cached'));
        });
      reply.type('application/json; charset=utf-8');
      return reply.send(Readable.from(trackJson(db, page, query.after ? null : { shiftId: shift?.shiftId ?? null, found })));
    });

    const shiftsDoc = doc({
      summary: "Shifts in the role's scope with each one's verdict, filtered by squad, officer, window and verdict",
      query: ShiftsQuerySchema,
    });
    app.get('/api/audit/shifts', { preHandler: requireUser(ctx), ...shiftsDoc }, async (request): Promise<AuditShiftsResponse> => {
      const query = parseOr400(ShiftsQuerySchema, request.query);
      const now = ctx.now();
      const to = query.to ?? now.toISOString();
      const from = query.from ?? new Date(Date.parse(to) - LIST_WINDOW_MS).toISOString();
      auditWindow({ from, to }, now);
      const viewer = sessionUser(request);
      const inScope = await officersInScope(db, viewer, query.officerId);
      const officers = query.squadId === undefined ? inScope : inScope.filter((o) => o.squadId === query.squadId);
      const byId = new Map(officers.map((o) => [o.id, o]));
      const rows =
        officers.length === 0
          ? []
          : await db
              .selectFrom('shifts')
              .select(['officer_id', 'shift_id', 'started_at', 'ended_at'])
              .where('officer_id', 'in', [...byId.keys()])
              .where('started_at', '>=', from)
              .where('started_at', '<=', to)
              .orderBy('started_at', 'desc')
              .limit(LIST_SHIFTS + 1)
              .execute();
      const shifts: VerdictShift[] = rows
        .slice(0, LIST_SHIFTS)
        .flatMap((r) => (r.started_at ? [{ officerId: r.officer_id, shiftId: r.shift_id, startedAt: r.started_at, endedAt: r.ended_at }] : []));
      const verdicts = await cachedVerdicts(db, shifts);
      const missing = shifts.filter((s) => !verdicts.has(verdictKey(s.officerId, s.shiftId)));
      // Two at a time: the server's two cores, and the event loop free for pushes meanwhile.
      for (let i = 0; i < missing.length; i += 2)
        await Promise.all(
          missing.slice(i, i + 2).map(async (s) => {
            const verdict = await computeShiftVerdict(db, devices, s, now);
            if (verdict) verdicts.set(verdictKey(s.officerId, s.shiftId), verdict);
          }),
        );
      const listed = shifts.flatMap((s) => {
        const officer = byId.get(s.officerId);
        const verdict = verdicts.get(verdictKey(s.officerId, s.shiftId)) ?? null;
        if (!officer || (query.verdict !== undefined && verdict !== query.verdict)) return [];
        return [{ ...s, badge: officer.badge, name: officer.name, squadId: officer.squadId, verdict }];
      });
      // What the filters offer: the squads and officers in scope, whatever this answer's filters.
      const everyone = query.officerId === undefined ? inScope : await officersInScope(db, viewer);
      const squadIds = [...new Set(everyone.flatMap((o) => (o.squadId ? [o.squadId] : [])))];
      const squads =
        squadIds.length === 0 ? [] : await db.selectFrom('squads').select(['id', 'name_zh', 'name_en']).where('id', 'in', squadIds).orderBy('code').execute();
      return {
        from,
        to,
        shifts: listed,
        truncated: rows.length > LIST_SHIFTS,
        squads: squads.map((s) => ({ id: s.id, name: { 'zh-CN': s.name_zh, en: s.name_en } })),
        officers: everyone.filter((o) => o.squadId !== null),
      };
    });
  };
}

/** How far back the shift list reaches when no window is given. */
const LIST_WINDOW_MS = 7 * 24 * 3600_000;
/** Most shifts one list answers with, the newest. */
const LIST_SHIFTS = 500;

const ShiftsQuerySchema = v.strictObject({
  officerId: v.optional(IdSchema('officerId')),
  squadId: v.optional(IdSchema('squadId')),
  from: v.optional(InstantSchema),
  to: v.optional(InstantSchema),
  verdict: v.optional(v.picklist(['intact', 'gaps-explained', 'altered', 'suspicious'], 'verdict must be intact, gaps-explained, altered or suspicious')),
});

/** The officer's shift as the verdict cache keys it; 404 when the officer started no such shift. */
async function shiftOf(
  db: Kysely<Tables>,
  officerId: string,
  shiftId: string,
  query: { from?: string | undefined; to?: string | undefined },
): Promise<VerdictShift> {
  if (query.from !== undefined || query.to !== undefined) throw new HttpError(400, 'bad-request', 'give a shiftId or a from and to, not both');
  const row = await db
    .selectFrom('shifts')
    .select(['started_at', 'ended_at'])
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', shiftId)
    .executeTakeFirst();
  if (!row?.started_at) throw new HttpError(404, 'not-found', 'this officer started no such shift');
  return { officerId, shiftId, startedAt: row.started_at, endedAt: row.ended_at };
}

/**
 * `GET /api/audit/native-track`: the fixes an officer's paired native tracker apps sent in the
 * window, apart from the signed track: unsigned, so nothing about them can be verified but when
 * they arrived and from which pairing.
 */
export function nativeTrackAuditRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    const nativeDoc = doc({ summary: "An officer's native tracker fixes in a window (not signed: shown apart)", query: v.omit(TrackQuerySchema, ['after']) });
    app.get('/api/audit/native-track', { preHandler: requireUser(ctx), ...nativeDoc }, async (request): Promise<NativeTrackResponse> => {
      const query = parseOr400(v.omit(TrackQuerySchema, ['after']), request.query);
      const { from, to } = auditWindow(query, ctx.now());
      const viewer = sessionUser(request);
      await officersInScope(db, viewer, query.officerId);
      await logRouteView(db, ctx.now(), viewer, query.officerId, 'native', { from, to });
      const rows = await db
        .selectFrom('native_positions')
        .innerJoin('native_trackers', 'native_trackers.id', 'native_positions.tracker_id')
        .select(['tracker_id', 'label', 'protocol', 'fix_at', 'lat', 'lon', 'accuracy', 'speed', 'heading', 'altitude', 'received_at'])
        .where('native_positions.officer_id', '=', query.officerId)
        .where('fix_at', '>=', from)
        .where('fix_at', '<=', to)
        .orderBy('fix_at')
        .limit(query.limit + 1)
        .execute();
      const points = rows.slice(0, query.limit).map((r) => ({
        trackerId: r.tracker_id,
        tracker: r.label,
        protocol: r.protocol as NativeProtocol,
        fixAt: r.fix_at,
        lat: r.lat,
        lon: r.lon,
        accuracy: r.accuracy,
        speed: r.speed,
        heading: r.heading,
        altitude: r.altitude,
        receivedAt: r.received_at,
      }));
      return { from, to, points, truncated: rows.length > query.limit };
    });
  };
}

const ViewsQuerySchema = v.strictObject({ officerId: v.optional(v.pipe(v.string(), v.minLength(1, 'officerId must not be empty'))) });

/**
 * `GET /api/audit/views?officerId=`: who looked at an officer's route, newest first. Officers see
 * who looked at theirs; leaders and supervisors the looks at officers in their scope; the unit's
 * admin every look in the unit.
 */
export function routeViewRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/audit/views',
      { preHandler: requireUser(ctx), ...doc({ summary: 'Who looked at whose route, and when', query: ViewsQuerySchema }) },
      async (request): Promise<RouteViewsResponse> => {
        const viewer = sessionUser(request);
        const { officerId } = parseOr400(ViewsQuerySchema, request.query);
        let query = db
          .selectFrom('route_views')
          .innerJoin('users as viewer', 'viewer.id', 'route_views.viewer_id')
          .select([
            'route_views.at',
            'route_views.officer_id',
            'route_views.what',
            'route_views.window_from',
            'route_views.window_to',
            'viewer.name',
            'viewer.badge',
            'viewer.role',
          ])
          .where('route_views.unit_id', '=', viewer.unitId);
        if (viewer.role === 'admin') {
          // Another unit's officer is refused as elsewhere, not answered with an empty list.
          if (officerId) await officersInScope(db, viewer, officerId);
          if (officerId) query = query.where('route_views.officer_id', '=', officerId);
        } else {
          const subject = officerId ?? viewer.id;
          await officersInScope(db, viewer, subject);
          query = query.where('route_views.officer_id', '=', subject);
        }
        const rows = await query.orderBy('route_views.at', 'desc').limit(VIEWS_LIMIT).execute();
        return {
          views: rows.map((r) => ({
            at: r.at,
            officerId: r.officer_id,
            what: r.what as 'track' | 'native',
            from: r.window_from,
            to: r.window_to,
            viewer: { name: r.name, badge: r.badge, role: r.role as Role },
          })),
        };
      },
    );
  };
}

/** Looks a list shows at most: the newest. */
const VIEWS_LIMIT = 200;

async function logRouteView(
  db: Kysely<Tables> | Transaction<Tables>,
  at: Date,
  viewer: SessionUser,
  officerId: string,
  what: 'track' | 'native',
  window: { from: string; to: string },
): Promise<void> {
  await db
    .insertInto('route_views')
    .values({
      id: newId(),
      at: at.toISOString(),
      viewer_id: viewer.id,
      officer_id: officerId,
      unit_id: viewer.unitId,
      what,
      window_from: window.from,
      window_to: window.to,
    })
    .execute();
  // The unit's audit log carries it too, beside sign-ins and admin changes (issue 16).
  await appendAuditEvent(db, at, 'audit-view', { userId: viewer.id, badge: viewer.badge, detail: JSON.stringify({ officerId, what, ...window }) });
}

/** The window a query asks about: as given, or the last day; at most 31 days. */
function auditWindow(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const to = query.to ?? (query.from ? new Date(Math.min(Date.parse(query.from) + DEFAULT_WINDOW_MS, now.getTime())) : now).toISOString();
  const from = query.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString();
  if (from > to) throw new HttpError(400, 'bad-request', 'from must not be after to');
  if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_MS) throw new HttpError(400, 'bad-request', 'the window may span at most 31 days');
  return { from, to };
}

/**
 * The answer as JSON text, written chunk by chunk as the records are read and verified, so four
 * large pages at once hold a few chunks in memory, not four tracks and their JSON. Points come
 * first; tracking marks, the verification and the verdict, small, follow when every chain has
 * been walked. The verdict needs every point of the window: on a page that is the whole window,
 * the points are kept as they go (a 12-hour shift's 8,640, some 3 MB) and judged at the end.
 */
async function* trackJson(
  db: Kysely<Tables>,
  page: TrackPage,
  judge: { shiftId: string | null; found: { verdict: AuditVerdict | null } } | null,
): AsyncGenerator<string> {
  // The same keys, in the same order, as one AuditTrackResponse object would give.
  yield `{"from":${JSON.stringify(page.from)},"to":${JSON.stringify(page.to)},"points":[`;
  const kept: TrackPoint[] | null = judge && page.next === null ? [] : null;
  const reading = verifiedTrack(db, page);
  let written = 0;
  for (let step = await reading.next(); ; step = await reading.next()) {
    if (step.done) {
      const verdict = kept && judge ? windowVerdict({ points: kept, ...step.value }, judge.shiftId) : null;
      if (judge) judge.found.verdict = verdict;
      const tail = { ...step.value, verdict, next: page.next } satisfies Omit<AuditTrackResponse, 'from' | 'to' | 'points'>;
      yield `],${JSON.stringify(tail).slice(1)}`;
      return;
    }
    kept?.push(...step.value);
    let text = '';
    for (const point of step.value) text += (written++ === 0 ? '' : ',') + JSON.stringify(point);
    yield text;
  }
}
