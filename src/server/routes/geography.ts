import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import * as v from 'valibot';
import { checkpointsFromGeoJson, checkpointsToGeoJson } from '../../domain/checkpoint-geojson.js';
import { controlPointsFromGeoJson, controlPointsToGeoJson } from '../../domain/control-point-geojson.js';
import { ControlPointSchema, type ControlPoint } from '../../domain/control-points.js';
import { CheckpointSchema, PlanSchema, type Checkpoint, type Plan } from '../../domain/checkpoints.js';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { appendAuditEvent } from '../audit-log.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { announceGeographyChange, recordGeographyChange } from '../geography/changes.js';
import { livePlansNaming } from '../geography/plans.js';
import { checkpointColumns, checkpointFromRow, controlPointColumns, controlPointFromRow, planColumns, planFromRow } from '../geography/rows.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An import may carry up to 10,000 detailed polygons. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const IdParams = v.strictObject({ id: v.string() });
/** A new checkpoint may come without an id; the server gives it one. */
const NewCheckpointSchema = v.object({ ...v.omit(CheckpointSchema, ['id']).entries, id: v.optional(CheckpointSchema.entries.id) });
const NewPlanSchema = v.object({ ...v.omit(PlanSchema, ['id']).entries, id: v.optional(PlanSchema.entries.id) });
const NewControlPointSchema = v.object({ ...v.omit(ControlPointSchema, ['id']).entries, id: v.optional(ControlPointSchema.entries.id) });

/**
 * Admin editing of checkpoints, patrol plans and control points, within the admin's own unit: create, edit,
 * delete (a tombstone, so devices hear of it through pull), GeoJSON import and export. Every
 * change bumps the pull version and is written to the audit log.
 */
export function geographyRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };

  return async (app: FastifyInstance) => {
    app.get('/api/admin/checkpoints', { ...adminOnly, ...doc({ summary: "The unit's checkpoints" }) }, async (request) => ({
      checkpoints: await unitCheckpoints(sessionUser(request)),
    }));

    app.get(
      '/api/admin/checkpoints/export',
      { ...adminOnly, ...doc({ summary: 'The checkpoints as a GeoJSON FeatureCollection', responseType: 'application/geo+json' }) },
      async (request, reply) => {
        const collection = checkpointsToGeoJson(await unitCheckpoints(sessionUser(request)));
        reply.header('content-type', 'application/geo+json; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="checkpoints-${ctx.now().toISOString().slice(0, 10)}.geojson"`);
        return JSON.stringify(collection, null, 1);
      },
    );

    app.post(
      '/api/admin/checkpoints/import',
      {
        ...adminOnly,
        bodyLimit: IMPORT_BODY_LIMIT,
        ...doc({
          summary: 'Add or update checkpoints from a GeoJSON FeatureCollection (all or nothing)',
          bodyTypes: ['application/json'],
          bodyNote: 'A GeoJSON FeatureCollection of points or polygons with the checkpoint properties.',
        }),
      },
      async (request) => {
        const admin = sessionUser(request);
        const parsed = checkpointsFromGeoJson(request.body, newId);
        if (!parsed.ok) throw new HttpError(400, 'bad-request', parsed.problems[0] ?? 'invalid GeoJSON', { problems: parsed.problems });
        const zones = await unitZoneIds(admin, db, true);
        const strangers = parsed.checkpoints.flatMap((c, i) =>
          zones.has(c.zoneId) ? [] : [`feature ${i} (“${c.name['zh-CN']}”): properties.zoneId ${c.zoneId} is not a zone of your unit`],
        );
        if (strangers.length) throw new HttpError(400, 'bad-request', strangers[0] ?? '', { problems: strangers });
        // All or nothing: a file with one bad feature changes nothing.
        const outcome = await db.transaction().execute(async (trx) => {
          await assertNotForeign(
            trx,
            admin,
            parsed.checkpoints.map((c) => c.id),
          );
          const existing = new Set(
            (
              await trx
                .selectFrom('checkpoints')
                .select('id')
                .where(
                  'id',
                  'in',
                  parsed.checkpoints.map((c) => c.id),
                )
                .execute()
            ).map((r) => r.id),
          );
          let version = await reserveVersions(trx, parsed.checkpoints.length);
          for (const c of parsed.checkpoints) if (existing.has(c.id)) await assertSameSquad(trx, c);
          for (const c of parsed.checkpoints) await writeCheckpoint(trx, c, existing.has(c.id), version++);
          const counts = { created: parsed.checkpoints.length - existing.size, updated: existing.size };
          await appendAuditEvent(trx, ctx.now(), 'geography-change', {
            userId: admin.id,
            badge: admin.badge,
            ip: request.ip,
            detail: JSON.stringify({ import: counts }),
          });
          await announceChanges(trx, admin);
          return counts;
        });
        return outcome;
      },
    );

    app.post(
      '/api/admin/checkpoints',
      { ...adminOnly, ...doc({ summary: 'Add a checkpoint', body: NewCheckpointSchema, status: 201 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const input = parseOr400(NewCheckpointSchema, request.body);
        const checkpoint: Checkpoint = { ...input, id: input.id ?? newId() };
        await assertUnitZone(admin, checkpoint.zoneId);
        await db.transaction().execute(async (trx) => {
          if (await trx.selectFrom('checkpoints').select('id').where('id', '=', checkpoint.id).executeTakeFirst()) {
            throw new HttpError(409, 'conflict', `checkpoint ${checkpoint.id} already exists`);
          }
          await writeCheckpoint(trx, checkpoint, false, await reserveVersions(trx));
          await auditChange(trx, admin, request.ip, 'checkpoint-created', checkpoint.id);
        });
        return reply.status(201).send({ checkpoint });
      },
    );

    app.put(
      '/api/admin/checkpoints/:id',
      { ...adminOnly, ...doc({ summary: 'Change a checkpoint', params: IdParams, body: CheckpointSchema }) },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const checkpoint = parseOr400(CheckpointSchema, request.body);
        if (checkpoint.id !== id) throw new HttpError(400, 'bad-request', 'id: must match the URL');
        await assertUnitZone(admin, checkpoint.zoneId);
        await db.transaction().execute(async (trx) => {
          await assertOwnCheckpoint(trx, admin, id);
          await assertSameSquad(trx, checkpoint);
          await writeCheckpoint(trx, checkpoint, true, await reserveVersions(trx));
          await auditChange(trx, admin, request.ip, 'checkpoint-updated', id);
        });
        return { checkpoint };
      },
    );

    app.delete(
      '/api/admin/checkpoints/:id',
      { ...adminOnly, ...doc({ summary: 'Delete a checkpoint (devices hear of it through pull)', params: IdParams, status: 204 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        await db.transaction().execute(async (trx) => {
          await assertOwnCheckpoint(trx, admin, id);
          const plans = await livePlansNaming(trx, admin.unitId, id);
          if (plans.length)
            throw new HttpError(409, 'conflict', `checkpoint is in plan “${plans.map((p) => p.name).join('”, “')}”: take it out of the plan first`);
          const version = await reserveVersions(trx);
          await trx.updateTable('checkpoints').set({ deleted: 1, version, updated_at: ctx.now().toISOString() }).where('id', '=', id).execute();
          await auditChange(trx, admin, request.ip, 'checkpoint-deleted', id);
        });
        return reply.status(204).send();
      },
    );

    app.get('/api/admin/plans', { ...adminOnly, ...doc({ summary: "The unit's patrol plans" }) }, async (request) => {
      const squads = await unitSquadIds(sessionUser(request));
      const rows = squads.length
        ? await db.selectFrom('plans').selectAll().where('squad_id', 'in', squads).where('deleted', '=', 0).orderBy('name_zh').execute()
        : [];
      return { plans: rows.map(planFromRow) };
    });

    app.post('/api/admin/plans', { ...adminOnly, ...doc({ summary: 'Add a patrol plan', body: NewPlanSchema, status: 201 }) }, async (request, reply) => {
      const admin = sessionUser(request);
      const input = parseOr400(NewPlanSchema, request.body);
      const plan: Plan = { ...input, id: input.id ?? newId() };
      await db.transaction().execute(async (trx) => {
        await assertPlanFits(trx, admin, plan);
        if (await trx.selectFrom('plans').select('id').where('id', '=', plan.id).executeTakeFirst())
          throw new HttpError(409, 'conflict', `plan ${plan.id} already exists`);
        await trx
          .insertInto('plans')
          .values({ id: plan.id, ...planColumns(plan), version: await reserveVersions(trx), updated_at: ctx.now().toISOString() })
          .execute();
        await auditChange(trx, admin, request.ip, 'plan-created', plan.id);
      });
      return reply.status(201).send({ plan });
    });

    app.put('/api/admin/plans/:id', { ...adminOnly, ...doc({ summary: 'Change a patrol plan', params: IdParams, body: PlanSchema }) }, async (request) => {
      const admin = sessionUser(request);
      const { id } = parseOr400(IdParams, request.params);
      const plan = parseOr400(PlanSchema, request.body);
      if (plan.id !== id) throw new HttpError(400, 'bad-request', 'id: must match the URL');
      await db.transaction().execute(async (trx) => {
        await assertOwnPlan(trx, admin, id);
        const stored = await trx.selectFrom('plans').select('squad_id').where('id', '=', id).executeTakeFirstOrThrow();
        // The old squad's devices would never hear of the move (pull is per squad): a new plan instead.
        if (stored.squad_id !== plan.squadId)
          throw new HttpError(400, 'bad-request', 'squadId: a plan cannot move to another squad; create one for that squad instead');
        await assertPlanFits(trx, admin, plan);
        await trx
          .updateTable('plans')
          .set({ ...planColumns(plan), version: await reserveVersions(trx), updated_at: ctx.now().toISOString() })
          .where('id', '=', id)
          .execute();
        await auditChange(trx, admin, request.ip, 'plan-updated', id);
      });
      return { plan };
    });

    app.delete('/api/admin/plans/:id', { ...adminOnly, ...doc({ summary: 'Delete a patrol plan', params: IdParams, status: 204 }) }, async (request, reply) => {
      const admin = sessionUser(request);
      const { id } = parseOr400(IdParams, request.params);
      await db.transaction().execute(async (trx) => {
        await assertOwnPlan(trx, admin, id);
        await trx
          .updateTable('plans')
          .set({ deleted: 1, version: await reserveVersions(trx), updated_at: ctx.now().toISOString() })
          .where('id', '=', id)
          .execute();
        await auditChange(trx, admin, request.ip, 'plan-deleted', id);
      });
      return reply.status(204).send();
    });

    app.get('/api/admin/control-points', { ...adminOnly, ...doc({ summary: "The unit's control points for rapid lockdown" }) }, async (request) => ({
      controlPoints: await unitControlPoints(sessionUser(request)),
    }));

    app.get(
      '/api/admin/control-points/export',
      { ...adminOnly, ...doc({ summary: 'The control points as a GeoJSON FeatureCollection', responseType: 'application/geo+json' }) },
      async (request, reply) => {
        const collection = controlPointsToGeoJson(await unitControlPoints(sessionUser(request)));
        reply.header('content-type', 'application/geo+json; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="control-points-${ctx.now().toISOString().slice(0, 10)}.geojson"`);
        return JSON.stringify(collection, null, 1);
      },
    );

    app.post(
      '/api/admin/control-points/import',
      {
        ...adminOnly,
        bodyLimit: IMPORT_BODY_LIMIT,
        ...doc({
          summary: 'Add or update control points from a GeoJSON FeatureCollection (all or nothing)',
          bodyTypes: ['application/json'],
          bodyNote: 'A GeoJSON FeatureCollection of points with the control point properties.',
        }),
      },
      async (request) => {
        const admin = sessionUser(request);
        const parsed = controlPointsFromGeoJson(request.body, newId);
        if (!parsed.ok) throw new HttpError(400, 'bad-request', parsed.problems[0] ?? 'invalid GeoJSON', { problems: parsed.problems });
        const points = parsed.items;
        // All or nothing: a file with one bad feature changes nothing.
        return db.transaction().execute(async (trx) => {
          const stored = await trx
            .selectFrom('control_points')
            .select(['id', 'unit_id'])
            .where(
              'id',
              'in',
              points.map((p) => p.id),
            )
            .execute();
          const foreign = stored.find((r) => r.unit_id !== admin.unitId);
          if (foreign) throw new HttpError(403, 'forbidden', `control point ${foreign.id} belongs to another unit`);
          const existing = new Set(stored.map((r) => r.id));
          let version = await reserveVersions(trx, points.length);
          for (const p of points) await writeControlPoint(trx, admin, p, existing.has(p.id), version++);
          const counts = { created: points.length - existing.size, updated: existing.size };
          await appendAuditEvent(trx, ctx.now(), 'geography-change', {
            userId: admin.id,
            badge: admin.badge,
            ip: request.ip,
            detail: JSON.stringify({ controlPointImport: counts }),
          });
          await announceChanges(trx, admin);
          return counts;
        });
      },
    );

    app.post(
      '/api/admin/control-points',
      { ...adminOnly, ...doc({ summary: 'Add a control point', body: NewControlPointSchema, status: 201 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const input = parseOr400(NewControlPointSchema, request.body);
        const point: ControlPoint = { ...input, id: input.id ?? newId() };
        await db.transaction().execute(async (trx) => {
          if (await trx.selectFrom('control_points').select('id').where('id', '=', point.id).executeTakeFirst()) {
            throw new HttpError(409, 'conflict', `control point ${point.id} already exists`);
          }
          await writeControlPoint(trx, admin, point, false, await reserveVersions(trx));
          await auditChange(trx, admin, request.ip, 'control-point-created', point.id);
        });
        return reply.status(201).send({ controlPoint: point });
      },
    );

    app.put(
      '/api/admin/control-points/:id',
      { ...adminOnly, ...doc({ summary: 'Change a control point', params: IdParams, body: ControlPointSchema }) },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const point = parseOr400(ControlPointSchema, request.body);
        if (point.id !== id) throw new HttpError(400, 'bad-request', 'id: must match the URL');
        await db.transaction().execute(async (trx) => {
          await assertOwnControlPoint(trx, admin, id);
          await writeControlPoint(trx, admin, point, true, await reserveVersions(trx));
          await auditChange(trx, admin, request.ip, 'control-point-updated', id);
        });
        return { controlPoint: point };
      },
    );

    app.delete(
      '/api/admin/control-points/:id',
      { ...adminOnly, ...doc({ summary: 'Delete a control point', params: IdParams, status: 204 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        await db.transaction().execute(async (trx) => {
          await assertOwnControlPoint(trx, admin, id);
          // An officer is on the way to it or standing there: the lockdown must end first.
          const manned = await trx
            .selectFrom('tasks')
            .innerJoin('lockdowns', 'lockdowns.id', 'tasks.lockdown_id')
            .select('lockdowns.id')
            .where('tasks.control_point_id', '=', id)
            .where('lockdowns.ended_at', 'is', null)
            .executeTakeFirst();
          if (manned) throw new HttpError(409, 'conflict', 'control point is manned in a lockdown that has not ended: end the lockdown first');
          const version = await reserveVersions(trx);
          await trx.updateTable('control_points').set({ deleted: 1, version, updated_at: ctx.now().toISOString() }).where('id', '=', id).execute();
          await auditChange(trx, admin, request.ip, 'control-point-deleted', id);
        });
        return reply.status(204).send();
      },
    );
  };

  async function writeControlPoint(trx: Transaction<Tables>, admin: SessionUser, p: ControlPoint, exists: boolean, version: number) {
    const columns = { ...controlPointColumns(p), version, updated_at: ctx.now().toISOString() };
    if (exists) await trx.updateTable('control_points').set(columns).where('id', '=', p.id).execute();
    else
      await trx
        .insertInto('control_points')
        .values({ id: p.id, unit_id: admin.unitId, ...columns })
        .execute();
  }

  async function unitControlPoints(admin: SessionUser): Promise<ControlPoint[]> {
    const rows = await db.selectFrom('control_points').selectAll().where('unit_id', '=', admin.unitId).where('deleted', '=', 0).execute();
    // Sorted here, not by the database: SQLite and PostgreSQL collate Chinese differently.
    return rows.map(controlPointFromRow).sort((a, b) => compare(a.name['zh-CN'], b.name['zh-CN']) || compare(a.id, b.id));
  }

  async function assertOwnControlPoint(trx: Transaction<Tables>, admin: SessionUser, id: string) {
    const row = await trx.selectFrom('control_points').select(['unit_id', 'deleted']).where('id', '=', id).executeTakeFirst();
    if (!row || row.deleted || row.unit_id !== admin.unitId) throw new HttpError(404, 'not-found', `no control point ${id} in your unit`);
  }

  async function writeCheckpoint(trx: Transaction<Tables>, c: Checkpoint, exists: boolean, version: number) {
    const columns = { ...checkpointColumns(c), version, updated_at: ctx.now().toISOString() };
    if (exists) await trx.updateTable('checkpoints').set(columns).where('id', '=', c.id).execute();
    else
      await trx
        .insertInto('checkpoints')
        .values({ id: c.id, ...columns })
        .execute();
  }

  function auditChange(trx: Transaction<Tables>, admin: SessionUser, ip: string, change: string, id: string) {
    return recordGeographyChange(ctx, trx, admin, ip, { change, id });
  }

  function announceChanges(trx: Transaction<Tables>, admin: SessionUser) {
    return announceGeographyChange(ctx, trx, admin);
  }

  async function unitSquadIds(admin: SessionUser): Promise<string[]> {
    return (await db.selectFrom('squads').select('id').where('unit_id', '=', admin.unitId).execute()).map((s) => s.id);
  }

  /** The unit's zones and their squads; `liveOnly` leaves deleted ones out (no new checkpoint goes into one). */
  async function unitZoneIds(admin: SessionUser, source: Kysely<Tables> = db, liveOnly = false): Promise<Map<string, string>> {
    const rows = await source
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'zones.squad_id'])
      .where('squads.unit_id', '=', admin.unitId)
      .$if(liveOnly, (qb) => qb.where('zones.deleted', '=', 0))
      .execute();
    return new Map(rows.map((r) => [r.id, r.squad_id]));
  }

  async function unitCheckpoints(admin: SessionUser): Promise<Checkpoint[]> {
    const rows = await db
      .selectFrom('checkpoints')
      .innerJoin('zones', 'zones.id', 'checkpoints.zone_id')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .selectAll('checkpoints')
      .where('squads.unit_id', '=', admin.unitId)
      .where('checkpoints.deleted', '=', 0)
      .orderBy('checkpoints.name_zh')
      .execute();
    return rows.map(checkpointFromRow);
  }

  async function assertUnitZone(admin: SessionUser, zoneId: string) {
    if (!(await unitZoneIds(admin, db, true)).has(zoneId)) throw new HttpError(400, 'bad-request', `zoneId: ${zoneId} is not a zone of your unit`);
  }

  /** Ids that exist in another unit must not be overwritten by an import or edit here. */
  async function assertNotForeign(trx: Transaction<Tables>, admin: SessionUser, ids: string[]) {
    if (ids.length === 0) return;
    const zones = await unitZoneIds(admin, trx);
    const rows = await trx.selectFrom('checkpoints').select(['id', 'zone_id']).where('id', 'in', ids).execute();
    const foreign = rows.find((r) => !zones.has(r.zone_id));
    if (foreign) throw new HttpError(403, 'forbidden', `checkpoint ${foreign.id} belongs to another unit`);
  }

  async function assertOwnCheckpoint(trx: Transaction<Tables>, admin: SessionUser, id: string) {
    const row = await trx.selectFrom('checkpoints').select(['zone_id', 'deleted']).where('id', '=', id).executeTakeFirst();
    if (!row || row.deleted || !(await unitZoneIds(admin, trx)).has(row.zone_id)) throw new HttpError(404, 'not-found', `no checkpoint ${id} in your unit`);
  }

  /** A checkpoint stays with its squad: the old squad's devices would never hear it moved (pull is per squad). */
  async function assertSameSquad(trx: Transaction<Tables>, c: Checkpoint) {
    const rows = await trx
      .selectFrom('checkpoints')
      .innerJoin('zones as old', 'old.id', 'checkpoints.zone_id')
      .select('old.squad_id')
      .where('checkpoints.id', '=', c.id)
      .executeTakeFirst();
    const target = await trx.selectFrom('zones').select('squad_id').where('id', '=', c.zoneId).executeTakeFirst();
    if (rows && target && rows.squad_id !== target.squad_id) {
      throw new HttpError(400, 'bad-request', `zoneId: checkpoint “${c.name['zh-CN']}” cannot move to another squad's zone; delete it and create it there`);
    }
  }

  async function assertOwnPlan(trx: Transaction<Tables>, admin: SessionUser, id: string) {
    const row = await trx
      .selectFrom('plans')
      .innerJoin('squads', 'squads.id', 'plans.squad_id')
      .select(['plans.deleted', 'squads.unit_id'])
      .where('plans.id', '=', id)
      .executeTakeFirst();
    if (!row || row.deleted || row.unit_id !== admin.unitId) throw new HttpError(404, 'not-found', `no plan ${id} in your unit`);
  }

  /** A plan is for one of the unit's squads and lists only live checkpoints in that squad's zones. */
  async function assertPlanFits(trx: Transaction<Tables>, admin: SessionUser, plan: Plan) {
    const squad = await trx.selectFrom('squads').select('unit_id').where('id', '=', plan.squadId).executeTakeFirst();
    if (!squad || squad.unit_id !== admin.unitId) throw new HttpError(400, 'bad-request', `squadId: ${plan.squadId} is not a squad of your unit`);
    if (new Set(plan.checkpointIds).size !== plan.checkpointIds.length) throw new HttpError(400, 'bad-request', 'checkpointIds: a checkpoint is listed twice');
    const rows = await trx
      .selectFrom('checkpoints')
      .innerJoin('zones', 'zones.id', 'checkpoints.zone_id')
      .select(['checkpoints.id', 'zones.squad_id'])
      .where('checkpoints.id', 'in', plan.checkpointIds)
      .where('checkpoints.deleted', '=', 0)
      .execute();
    const squadOf = new Map(rows.map((r) => [r.id, r.squad_id]));
    const bad = plan.checkpointIds.findIndex((id) => squadOf.get(id) !== plan.squadId);
    if (bad >= 0) throw new HttpError(400, 'bad-request', `checkpointIds.${bad}: ${plan.checkpointIds[bad]} is not a checkpoint in this squad's zones`);
  }
}
