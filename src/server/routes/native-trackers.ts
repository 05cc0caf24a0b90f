import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newId } from '../../domain/ids.js';
import { isRealInstant } from '../../domain/instant.js';
import {
  type NativeFix,
  NativeFixError,
  type NativeProtocol,
  type NativeTrackerView,
  type NewTrackerResponse,
  NewTrackerSchema,
  ownTracksConfigUrl,
  readOsmAnd,
  readOwnTracks,
} from '../../domain/native-trackers.js';
import { MAX_CLOCK_AHEAD_MS } from '../../domain/records.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { tokenHash } from '../auth/sessions.js';
import type { ServerContext } from '../context.js';
import type { NativeTrackerTable } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { announceOfficerLive } from '../live/squad-events.js';
import { lockOfficerRecords } from '../db/locks.js';
import { mergeNativeFix } from '../records/officer-live.js';
import { writeNativeFixCoverage } from '../records/native-coverage.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

// Native tracker apps paired with an officer's phone (OwnTracks HTTP mode, Traccar Client's OsmAnd
// protocol): the officer makes a token in the PWA, the app sends fixes with it. The fixes are
// unsigned and stored apart from the signed positions (native_positions).

/** Pairings an officer may have live at once: a phone or two, not a fleet. */
const MAX_ACTIVE_TRACKERS = 3;
/** A tracker report is one fix: a few hundred bytes. */
const REPORT_BODY_LIMIT = 16 * 1024;

const OWNTRACKS_PATH = '/api/native/owntracks';
const OSMAND_PATH = '/api/native/osmand';

export function nativeTrackerRoutes(ctx: ServerContext) {
  const { db } = ctx.database;

  /** The live pairing a token belongs to, or a 401 the app can show. */
  async function trackerOf(token: string | null, reply: FastifyReply): Promise<NativeTrackerTable> {
    const row = token ? await db.selectFrom('native_trackers').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst() : undefined;
    if (!row || row.revoked_at) {
      reply.header('WWW-Authenticate', 'Basic realm="xunfang-tracker", charset="UTF-8"');
      throw new HttpError(401, 'unauthenticated', row ? 'this tracker pairing was revoked' : 'unknown tracker token');
    }
    return row;
  }

  /** Stores one fix once (an app resending after a lost answer changes nothing). */
  async function store(tracker: NativeTrackerTable, protocol: NativeProtocol, fix: NativeFix): Promise<void> {
    const now = ctx.now();
    const fixAt = Number.isFinite(fix.fixAt) ? new Date(fix.fixAt).toISOString() : '';
    if (!isRealInstant(fixAt)) throw new HttpError(400, 'bad-request', 'the fix time is not a real instant since 2020');
    if (fix.fixAt > now.getTime() + MAX_CLOCK_AHEAD_MS) throw new HttpError(400, 'bad-request', 'the fix time is more than a day ahead of the server clock');
    await db.transaction().execute(async (trx) => {
      // Its coverage and live row are the officer's, which the phone's batches also write.
      await lockOfficerRecords(trx, tracker.officer_id);
      await trx
        .insertInto('native_positions')
        .values({
          tracker_id: tracker.id,
          officer_id: tracker.officer_id,
          protocol,
          fix_at: fixAt,
          lat: fix.lat,
          lon: fix.lon,
          accuracy: fix.accuracy,
          speed: fix.speed,
          heading: fix.heading,
          altitude: fix.altitude,
          received_at: now.toISOString(),
        })
        .onConflict((oc) => oc.columns(['tracker_id', 'fix_at']).doNothing())
        .execute();
      // The beat's coverage counts it while the officer is on shift.
      await writeNativeFixCoverage(trx, tracker.officer_id, fixAt);
      await trx.updateTable('native_trackers').set({ last_used_at: now.toISOString() }).where('id', '=', tracker.id).execute();
      // The live squad shows it when it is the officer's newest fix: the app's gaps filled.
      if (await mergeNativeFix(trx, tracker.officer_id, { fixAt, lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy })) {
        const officer = await trx.selectFrom('users').select(['id', 'unit_id', 'squad_id']).where('id', '=', tracker.officer_id).executeTakeFirstOrThrow();
        await announceOfficerLive(trx, ctx.database.notifier, { id: officer.id, unitId: officer.unit_id, squadId: officer.squad_id }, now.toISOString());
      }
    });
  }

  const read = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof NativeFixError) throw new HttpError(400, 'bad-request', error.message);
      throw error;
    }
  };

  return async (app: FastifyInstance) => {
    app.get(
      '/api/trackers',
      { preHandler: requireUser(ctx, ['officer']), ...doc({ summary: "The officer's native tracker pairings" }) },
      async (request): Promise<{ trackers: NativeTrackerView[] }> => {
        return { trackers: await trackersOf(sessionUser(request).id) };
      },
    );

    app.post(
      '/api/trackers',
      {
        preHandler: requireUser(ctx, ['officer']),
        ...doc({ summary: 'Pair a native tracker app (OwnTracks, Traccar Client): answers its token once', body: NewTrackerSchema, status: 201 }),
      },
      async (request, reply): Promise<NewTrackerResponse> => {
        const user = sessionUser(request);
        const { label } = parseOr400(NewTrackerSchema, request.body);
        const active = (await trackersOf(user.id)).filter((t) => !t.revokedAt);
        if (active.length >= MAX_ACTIVE_TRACKERS)
          throw new HttpError(409, 'conflict', `at most ${MAX_ACTIVE_TRACKERS} trackers may be paired at once: revoke one first`);
        const token = randomBytes(24).toString('base64url');
        const row: NativeTrackerTable = {
          id: newId(),
          officer_id: user.id,
          label,
          token_hash: tokenHash(token),
          created_at: ctx.now().toISOString(),
          last_used_at: null,
          revoked_at: null,
        };
        await db.insertInto('native_trackers').values(row).execute();
        const origin = `${request.protocol}://${request.host}`;
        const owntracks = { url: `${origin}${OWNTRACKS_PATH}`, username: user.badge, password: token };
        reply.status(201);
        return {
          tracker: view(row, 0),
          token,
          owntracks: { ...owntracks, configUrl: ownTracksConfigUrl({ ...owntracks, deviceId: label }) },
          osmand: { url: `${origin}${OSMAND_PATH}`, deviceId: token },
        };
      },
    );

    app.post(
      '/api/trackers/:id/revoke',
      { preHandler: requireUser(ctx, ['officer']), ...doc({ summary: 'Revoke a pairing: its token stops working' }) },
      async (request) => {
        const user = sessionUser(request);
        const { id } = request.params as { id: string };
        const revoked = await db
          .updateTable('native_trackers')
          .set({ revoked_at: ctx.now().toISOString() })
          .where('id', '=', id)
          .where('officer_id', '=', user.id)
          .where('revoked_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!revoked) throw new HttpError(404, 'not-found', 'no live tracker pairing of yours has this id');
        return { trackers: await trackersOf(user.id) };
      },
    );

    // The trackers' own endpoints: token-authenticated, no cookie, their own body parsing.
    await app.register(async (native) => {
      // OwnTracks also posts zero-length bodies (a friend removed) and expects 200 for them.
      native.removeContentTypeParser('application/json');
      native.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: REPORT_BODY_LIMIT }, (_request, body, done) => {
        const text = String(body).trim();
        if (!text) return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new HttpError(400, 'bad-request', 'the body is not valid JSON'), undefined);
        }
      });
      // The OsmAnd protocol's older clients post form parameters.
      native.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: REPORT_BODY_LIMIT }, (_request, body, done) =>
        done(null, new URLSearchParams(String(body))),
      );

      native.post(
        OWNTRACKS_PATH,
        doc({
          summary: 'A fix from OwnTracks in HTTP mode (its JSON location message)',
          bodyTypes: ['application/json'],
          bodyNote: "OwnTracks' own location message (_type: location); other message types are answered and ignored.",
          auth: 'HTTP Basic, the pairing token as the password',
        }),
        async (request, reply) => {
          const tracker = await trackerOf(basicPassword(request), reply);
          const fix = read(() => readOwnTracks(request.body));
          if (fix) await store(tracker, 'owntracks', fix);
          // OwnTracks reads the answer as a list of friends' messages: none.
          return [];
        },
      );

      const osmand = async (request: FastifyRequest, reply: FastifyReply) => {
        const query = new URLSearchParams(request.query as Record<string, string>);
        const form = request.body instanceof URLSearchParams ? request.body : null;
        const params = form ? new URLSearchParams([...query, ...form]) : query;
        const { fix, deviceId } = read(() => readOsmAnd(params, form ? undefined : request.body));
        const tracker = await trackerOf(deviceId, reply);
        await store(tracker, 'osmand', fix);
        return reply.type('text/plain; charset=utf-8').send('OK');
      };
      const osmandDoc = doc({
        summary: 'A fix from Traccar Client (the OsmAnd protocol): id, lat, lon, timestamp, … as query or form parameters, or its JSON',
        bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
        auth: 'the pairing token as the id parameter',
      });
      native.get(OSMAND_PATH, osmandDoc, osmand);
      native.post(OSMAND_PATH, osmandDoc, osmand);
    });
  };

  async function trackersOf(officerId: string): Promise<NativeTrackerView[]> {
    const rows = await db
      .selectFrom('native_trackers')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('native_positions')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('native_positions.tracker_id', '=', 'native_trackers.id')
          .as('fixes'),
      )
      .where('officer_id', '=', officerId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => view(row, Number(row.fixes ?? 0)));
  }
}

function view(row: NativeTrackerTable, fixes: number): NativeTrackerView {
  return { id: row.id, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at, fixes };
}

/** The password of HTTP Basic authentication (OwnTracks sends the token there), or null. */
function basicPassword(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}
