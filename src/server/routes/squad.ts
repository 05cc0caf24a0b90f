import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { SquadLiveQuerySchema, type SosAckResponse, type SquadLiveResponse, type SquadOfficer } from '../../domain/protocol/squad.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { officersInScope } from '../auth/scope.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { announceSos } from '../live/squad-events.js';
import { readOfficerLive, readSosAlerts, sosAlertsOf } from '../records/officer-live.js';
import { readOpenShifts } from '../records/shifts.js';
import { lockRow } from '../tasks/tasks.js';
import { UUID_RE } from '../../domain/ids.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const COMMAND = ['leader', 'supervisor'] as const;
/** An officer's SOS stays on the live squad this long after it was raised (and while unacknowledged). */
const SOS_SHOWN_MS = 12 * 3600_000;
/** Task states in which the holder is working it. */
const WORKING = ['assigned', 'accepted', 'en-route', 'on-scene'];
const AlertParams = v.strictObject({ id: v.pipe(v.string(), v.regex(UUID_RE, 'id: must be an SOS alert id (a lower-case UUID)')) });

/**
 * `GET /api/squad/live`: the officers of the viewer's squad (leader) or unit (supervisor, with an
 * optional `squadId` filter) on shift or with an SOS: newest fix, tracking, task, SOS. Live
 * `position` and `sos` events carry the changes after it.
 * `POST /api/sos/:id/ack`: a leader or supervisor acknowledges an SOS in their scope; recorded
 * (who, when, audit log) and announced to the officer and the squad's command.
 */
export function squadRoutes(ctx: ServerContext) {
  const { db, notifier } = ctx.database;
  return async (app: FastifyInstance) => {
    app.get(
      '/api/squad/live',
      {
        preHandler: requireUser(ctx, COMMAND),
        ...doc({ summary: "The squad's officers now: last position and its age, tracking state, task, SOS", query: SquadLiveQuerySchema }),
      },
      async (request): Promise<SquadLiveResponse> => {
        const viewer = sessionUser(request);
        const { squadId } = parseOr400(SquadLiveQuerySchema, request.query);
        const now = ctx.now();
        const squads = await db
          .selectFrom('squads')
          .select(['id', 'code', 'name_zh', 'name_en'])
          .where('unit_id', '=', viewer.unitId)
          .$if(viewer.role === 'leader', (qb) => qb.where('id', '=', viewer.squadId ?? ''))
          .orderBy('code')
          .execute();
        if (squadId !== undefined && !squads.some((s) => s.id === squadId)) throw new HttpError(403, 'forbidden', 'squadId: not a squad in your scope');
        const inScope = (await officersInScope(db, viewer)).filter((o) => o.squadId !== null && (squadId === undefined || o.squadId === squadId));
        const ids = inScope.map((o) => o.id);
        const [shifts, live, alerts, tasks] = await Promise.all([
          readOpenShifts(db, ids),
          readOfficerLive(db, ids),
          readSosAlerts(db, ids, new Date(now.getTime() - SOS_SHOWN_MS).toISOString()),
          ids.length === 0
            ? Promise.resolve([])
            : db
                .selectFrom('tasks')
                .select(['id', 'title', 'state', 'state_at', 'holder_id'])
                .where('holder_id', 'in', ids)
                .where('state', 'in', WORKING)
                .execute(),
        ]);
        // The shift that began last, should an officer somehow have two open.
        const shiftOf = new Map<string, { id: string; startedAt: string }>();
        for (const s of shifts) {
          const known = shiftOf.get(s.officerId);
          if (!known || s.start.at > known.startedAt) shiftOf.set(s.officerId, { id: s.shiftId, startedAt: s.start.at });
        }
        const taskOf = new Map<string, { id: string; title: string; state: string; at: string }>();
        for (const t of tasks) {
          const known = t.holder_id ? taskOf.get(t.holder_id) : undefined;
          if (t.holder_id && (!known || t.state_at > known.at)) taskOf.set(t.holder_id, { id: t.id, title: t.title, state: t.state, at: t.state_at });
        }
        const sosOf = new Map<string, (typeof alerts)[number]>();
        // Newest first: an unacknowledged one wins over a newer one already answered.
        for (const a of alerts) {
          const known = sosOf.get(a.officer.id);
          if (!known || (known.ackedAt !== null && a.ackedAt === null)) sosOf.set(a.officer.id, a);
        }
        const officers: SquadOfficer[] = inScope.flatMap((o) => {
          const shift = shiftOf.get(o.id) ?? null;
          const sos = sosOf.get(o.id) ?? null;
          if (!shift && !(sos && sos.ackedAt === null)) return [];
          const state = live.get(o.id);
          const task = taskOf.get(o.id);
          return [
            {
              officerId: o.id,
              badge: o.badge,
              name: o.name,
              squadId: o.squadId,
              shift,
              // A fix of an earlier shift is still where they were last seen; the client shows its age.
              position: state?.position ?? null,
              tracking: state?.tracking ?? null,
              native: state?.native ?? null,
              heardAt: state?.heardAt ?? null,
              version: state?.version ?? 0,
              task: task ? { id: task.id, title: task.title, state: task.state } : null,
              sos,
            },
          ];
        });
        officers.sort((a, b) => Number(!!b.sos && !b.sos.ackedAt) - Number(!!a.sos && !a.sos.ackedAt) || a.badge.localeCompare(b.badge));
        return {
          now: now.toISOString(),
          squads: squads.map((s) => ({ id: s.id, code: s.code, name: { 'zh-CN': s.name_zh, en: s.name_en } })),
          officers,
        };
      },
    );

    app.post(
      '/api/sos/:id/ack',
      { preHandler: requireUser(ctx, COMMAND), ...doc({ summary: 'Acknowledge an SOS alert (once; later ones see who did)', params: AlertParams }) },
      async (request): Promise<SosAckResponse> => {
        const viewer = sessionUser(request);
        const { id } = parseOr400(AlertParams, request.params);
        const at = ctx.now().toISOString();
        const scope = new Map((await officersInScope(db, viewer)).map((o) => [o.id, o]));
        await db.transaction().execute(async (trx) => {
          const alert = await trx.selectFrom('sos_alerts').selectAll().where('id', '=', id).$call(lockRow(trx)).executeTakeFirst();
          const officer = alert && scope.get(alert.officer_id);
          // Out of scope answers like unknown, so alerts elsewhere cannot be probed.
          if (!alert || !officer || alert.raised_at === null) throw new HttpError(404, 'not-found', 'no such SOS in your scope');
          if (alert.acked_at !== null) {
            const [named] = await sosAlertsOf(trx, [alert]);
            throw new HttpError(409, 'conflict', `already acknowledged by ${named?.ackedBy?.name ?? alert.acked_by} at ${alert.acked_at}`);
          }
          await trx.updateTable('sos_alerts').set({ acked_by: viewer.id, acked_at: at }).where('id', '=', id).execute();
          await appendAuditEvent(trx, ctx.now(), 'sos-ack', {
            userId: viewer.id,
            badge: viewer.badge,
            ip: request.ip,
            detail: JSON.stringify({ alertId: id, officerId: alert.officer_id }),
          });
          await announceSos(trx, notifier, { id: officer.id, unitId: viewer.unitId, squadId: officer.squadId }, id, at);
        });
        const row = await db.selectFrom('sos_alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const [alert] = await sosAlertsOf(db, [row]);
        if (!alert) throw new HttpError(404, 'not-found', 'no such SOS in your scope');
        return { alert };
      },
    );
  };
}
