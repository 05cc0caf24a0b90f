import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import * as v from 'valibot';
import { newId } from '../../domain/ids.js';
import type { AdminZonesResponse, ImportOutcome } from '../../domain/protocol/admin.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { ZoneEditSchema, zonesFromGeoJson, zonesToGeoJson, type ZoneEdit } from '../../domain/zones.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { recordGeographyChange } from '../geography/changes.js';
import { zoneColumns, zoneFromRow } from '../geography/rows.js';
import { doc } from '../openapi.js';
import { parseOr400 } from '../validate.js';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An import may carry a few hundred detailed outlines. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const IdParams = v.strictObject({ id: v.string() });
/** A new zone may come without an id; the server gives it one. */
const NewZoneSchema = v.object({ ...v.omit(ZoneEditSchema, ['id']).entries, id: v.optional(ZoneEditSchema.entries.id) });

/** A stored zone as a write needs to know it: whose it is, and whether it is a tombstone. */
interface StoredZone {
  id: string;
  squad_id: string;
  unit_id: string;
  deleted: number;
}

/**
 * The patrol zones of the admin's unit (issue 16): list, create, edit (names, outline,
 * population; another squad only while it holds no checkpoints), delete (a tombstone, refused
 * while checkpoints are in it), GeoJSON import (all or nothing) and export. Every change bumps the
 * pull version, is written to the audit log and is announced on the live channel.
 */
export function zoneRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };

  return async (app: FastifyInstance) => {
    // The editors need squad names (pull carries only squad ids) and every zone of the unit.
    app.get(
      '/api/admin/zones',
      { ...adminOnly, ...doc({ summary: "The unit's zones (with population) and squads, for the editors" }) },
      async (request): Promise<AdminZonesResponse> => {
        const admin = sessionUser(request);
        const [squads, zones] = await Promise.all([unitSquads(admin), unitZones(admin)]);
        return { squads: squads.map((s) => ({ id: s.id, code: s.code, name: { 'zh-CN': s.name_zh, en: s.name_en } })), zones };
      },
    );

    app.get(
      '/api/admin/zones/export',
      { ...adminOnly, ...doc({ summary: 'The zones as a GeoJSON FeatureCollection', responseType: 'application/geo+json' }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const [squads, zones] = await Promise.all([unitSquads(admin), unitZones(admin)]);
        reply.header('content-type', 'application/geo+json; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="zones-${ctx.now().toISOString().slice(0, 10)}.geojson"`);
        return JSON.stringify(zonesToGeoJson(zones, squads), null, 1);
      },
    );

    app.post(
      '/api/admin/zones/import',
      {
        ...adminOnly,
        bodyLimit: IMPORT_BODY_LIMIT,
        ...doc({
          summary: 'Add or update zones from a GeoJSON FeatureCollection (all or nothing; every bad feature named)',
          bodyTypes: ['application/json'],
          bodyNote: 'A GeoJSON FeatureCollection of Polygons with properties squad (code) or squadId, name_zh, name_en, population and optionally id.',
        }),
      },
      async (request): Promise<ImportOutcome> => {
        const admin = sessionUser(request);
        const squads = await unitSquads(admin);
        const parsed = zonesFromGeoJson(request.body, newId, squads);
        if (!parsed.ok) throw new HttpError(400, 'bad-request', parsed.problems[0] ?? 'invalid GeoJSON', { problems: parsed.problems });
        const zones = parsed.items;
        // All or nothing: a file with one bad feature changes nothing.
        return db.transaction().execute(async (trx) => {
          const stored = await storedZones(
            trx,
            zones.map((z) => z.id),
          );
          const problems = zones.flatMap((zone, index) => {
            const row = stored.get(zone.id);
            if (row && row.unit_id !== admin.unitId) return [`feature ${index} (“${zone.name['zh-CN']}”): zone ${zone.id} belongs to another unit`];
            return [];
          });
          for (const [index, zone] of zones.entries()) {
            const row = stored.get(zone.id);
            if (row && row.unit_id === admin.unitId) {
              const blocked = await moveBlocked(trx, row, zone);
              if (blocked) problems.push(`feature ${index} (“${zone.name['zh-CN']}”): ${blocked}`);
            }
          }
          if (problems.length) throw new HttpError(400, 'bad-request', problems[0] ?? '', { problems });
          let version = await reserveVersions(trx, zones.length);
          for (const zone of zones) await writeZone(trx, zone, stored.get(zone.id) ?? null, version++);
          const updated = zones.filter((z) => stored.has(z.id)).length;
          const counts = { created: zones.length - updated, updated };
          await recordGeographyChange(ctx, trx, admin, request.ip, { zoneImport: counts });
          return counts;
        });
      },
    );

    app.post('/api/admin/zones', { ...adminOnly, ...doc({ summary: 'Add a zone', body: NewZoneSchema, status: 201 }) }, async (request, reply) => {
      const admin = sessionUser(request);
      const input = parseOr400(NewZoneSchema, request.body);
      const zone: ZoneEdit = { ...input, id: input.id ?? newId() };
      await db.transaction().execute(async (trx) => {
        await assertUnitSquad(trx, admin, zone.squadId);
        if ((await storedZones(trx, [zone.id])).size) throw new HttpError(409, 'conflict', `zone ${zone.id} already exists`);
        await writeZone(trx, zone, null, await reserveVersions(trx));
        await recordGeographyChange(ctx, trx, admin, request.ip, { change: 'zone-created', id: zone.id });
      });
      return reply.status(201).send({ zone });
    });

    app.put(
      '/api/admin/zones/:id',
      {
        ...adminOnly,
        ...doc({
          summary: "Change a zone's names, outline, population or squad (a zone with checkpoints stays with its squad)",
          params: IdParams,
          body: ZoneEditSchema,
        }),
      },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const zone = parseOr400(ZoneEditSchema, request.body);
        if (zone.id !== id) throw new HttpError(400, 'bad-request', 'id: must match the URL');
        await db.transaction().execute(async (trx) => {
          const row = await ownZone(trx, admin, id);
          await assertUnitSquad(trx, admin, zone.squadId);
          const blocked = await moveBlocked(trx, row, zone);
          if (blocked) throw new HttpError(409, 'conflict', blocked);
          await writeZone(trx, zone, row, await reserveVersions(trx));
          await recordGeographyChange(ctx, trx, admin, request.ip, { change: 'zone-updated', id });
        });
        return { zone };
      },
    );

    app.delete(
      '/api/admin/zones/:id',
      { ...adminOnly, ...doc({ summary: 'Delete a zone without checkpoints (devices hear of it through pull)', params: IdParams, status: 204 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        await db.transaction().execute(async (trx) => {
          await ownZone(trx, admin, id);
          const held = await liveCheckpointNames(trx, id);
          if (held.length)
            throw new HttpError(
              409,
              'conflict',
              `the zone still holds ${held.length} checkpoint(s) (“${held.join('”, “')}”): delete them or move them to another zone first`,
            );
          const version = await reserveVersions(trx);
          await trx.updateTable('zones').set({ deleted: 1, version, updated_at: ctx.now().toISOString() }).where('id', '=', id).execute();
          await recordGeographyChange(ctx, trx, admin, request.ip, { change: 'zone-deleted', id });
        });
        return reply.status(204).send();
      },
    );
  };

  function unitSquads(admin: SessionUser) {
    return db.selectFrom('squads').select(['id', 'code', 'name_zh', 'name_en']).where('unit_id', '=', admin.unitId).orderBy('code').execute();
  }

  async function unitZones(admin: SessionUser): Promise<ZoneEdit[]> {
    const rows = await db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'zones.squad_id', 'zones.name_zh', 'zones.name_en', 'zones.geometry', 'zones.population'])
      .where('squads.unit_id', '=', admin.unitId)
      .where('zones.deleted', '=', 0)
      .execute();
    // Sorted here, not by the database: SQLite and PostgreSQL collate Chinese differently.
    return rows.map(zoneFromRow).sort((a, b) => compare(a.name['zh-CN'], b.name['zh-CN']) || compare(a.id, b.id));
  }

  async function storedZones(trx: Transaction<Tables>, ids: string[]): Promise<Map<string, StoredZone>> {
    if (ids.length === 0) return new Map();
    const rows = await trx
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'zones.squad_id', 'squads.unit_id', 'zones.deleted'])
      .where('zones.id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, { ...r, deleted: Number(r.deleted) }]));
  }

  /** The live zone `id` of the admin's unit; anything else (another unit's, deleted, unknown) is a 404 alike. */
  async function ownZone(trx: Transaction<Tables>, admin: SessionUser, id: string): Promise<StoredZone> {
    const row = (await storedZones(trx, [id])).get(id);
    if (!row || row.deleted || row.unit_id !== admin.unitId) throw new HttpError(404, 'not-found', `no zone ${id} in your unit`);
    return row;
  }

  async function assertUnitSquad(trx: Transaction<Tables>, admin: SessionUser, squadId: string) {
    const squad = await trx.selectFrom('squads').select('id').where('id', '=', squadId).where('unit_id', '=', admin.unitId).executeTakeFirst();
    if (!squad) throw new HttpError(400, 'bad-request', `squadId: ${squadId} is not a squad of your unit`);
  }

  async function liveCheckpointNames(trx: Transaction<Tables>, zoneId: string): Promise<string[]> {
    const rows = await trx.selectFrom('checkpoints').select('name_zh').where('zone_id', '=', zoneId).where('deleted', '=', 0).execute();
    return rows.map((r) => r.name_zh).sort(compare);
  }

  /**
   * Why a live zone may not move to `zone.squadId`, or null. Its checkpoints would have to move
   * with it, and a checkpoint stays with its squad (the old squad's devices, whose pull no longer
   * reaches them, would keep watching them).
   */
  async function moveBlocked(trx: Transaction<Tables>, row: StoredZone, zone: ZoneEdit): Promise<string | null> {
    if (row.deleted || row.squad_id === zone.squadId) return null;
    const held = await liveCheckpointNames(trx, zone.id);
    if (held.length === 0) return null;
    return `squadId: zone “${zone.name['zh-CN']}” holds ${held.length} checkpoint(s) (“${held.join('”, “')}”) and stays with its squad; delete or move them to another zone first`;
  }

  /**
   * Writes a zone at `version`. A live zone that changes squad leaves a departure at `version`,
   * so the squad it left hears through pull that it is gone there, and is itself written at a
   * later version: whoever pulls both squads (supervisors, admins) hears the deletion first.
   */
  async function writeZone(trx: Transaction<Tables>, zone: ZoneEdit, stored: StoredZone | null, version: number) {
    const at = ctx.now().toISOString();
    if (!stored) {
      await trx
        .insertInto('zones')
        .values({ id: zone.id, ...zoneColumns(zone), version, updated_at: at })
        .execute();
      return;
    }
    const moving = !stored.deleted && stored.squad_id !== zone.squadId;
    if (moving) {
      await trx
        .insertInto('zone_departures')
        .values({ zone_id: zone.id, squad_id: stored.squad_id, version })
        .onConflict((oc) => oc.columns(['zone_id', 'squad_id']).doUpdateSet({ version }))
        .execute();
    }
    await trx
      .updateTable('zones')
      .set({ ...zoneColumns(zone), version: moving ? await reserveVersions(trx) : version, updated_at: at })
      .where('id', '=', zone.id)
      .execute();
  }
}
