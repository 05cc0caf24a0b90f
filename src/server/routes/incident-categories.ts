import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import * as v from 'valibot';
import { IncidentSettingsSchema, isBuiltInCategory, NewIncidentCategorySchema, type IncidentCategory, type IncidentSettings } from '../../domain/incidents.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { IncidentCategoriesResponse } from '../../domain/protocol/incidents.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { unitIncidentSettings, unitTaxonomy } from '../incidents/taxonomy.js';
import { publishLive } from '../live/publish.js';
import { parseOr400 } from '../validate.js';

const CodeParams = v.strictObject({ code: NewIncidentCategorySchema.entries.code });
const HiddenBodySchema = v.strictObject({ hidden: v.boolean('hidden must be true or false') }, 'body must be { hidden: true | false }');

/**
 * A unit's incident taxonomy, kept by its admin: add a category of the unit's own, hide a
 * category (built in or its own) from new reports or show it again. Nothing is ever removed: a
 * code records carry keeps its meaning. Every change bumps the pull version (devices get the
 * taxonomy by pull, so the report form works offline), tells the unit's devices to pull now,
 * and is written to the audit log. Beside it, the unit's incident settings: whether people's
 * identity numbers are recorded (until the admin chooses, the server's INCIDENT_ID_NUMBERS).
 */
export function incidentCategoryRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };
  return async (app: FastifyInstance) => {
    app.get('/api/admin/incident-categories', adminOnly, async (request): Promise<IncidentCategoriesResponse> => ({
      categories: await unitTaxonomy(db, sessionUser(request).unitId),
    }));

    app.post('/api/admin/incident-categories', adminOnly, async (request, reply) => {
      const admin = sessionUser(request);
      const input = parseOr400(NewIncidentCategorySchema, request.body);
      const category: IncidentCategory = { ...input, hidden: false };
      await db.transaction().execute(async (trx) => {
        const taken = isBuiltInCategory(category.code)
          ? true
          : !!(await trx
              .selectFrom('incident_categories')
              .select('code')
              .where('unit_id', '=', admin.unitId)
              .where('code', '=', category.code)
              .executeTakeFirst());
        if (taken) throw new HttpError(409, 'conflict', `code: your unit already has a category “${category.code}”`);
        await trx
          .insertInto('incident_categories')
          .values({ unit_id: admin.unitId, ...columns(category), version: await reserveVersions(trx), updated_at: ctx.now().toISOString() })
          .execute();
        await auditChange(trx, admin, request.ip, { change: 'incident-category-added', code: category.code });
      });
      return reply.status(201).send({ category });
    });

    app.put('/api/admin/incident-categories/:code/hidden', adminOnly, async (request) => {
      const admin = sessionUser(request);
      const { code } = parseOr400(CodeParams, request.params);
      const { hidden } = parseOr400(HiddenBodySchema, request.body);
      return db.transaction().execute(async (trx) => {
        const category = (await unitTaxonomy(trx, admin.unitId)).find((c) => c.code === code);
        if (!category) throw new HttpError(404, 'not-found', `no incident category “${code}” in your unit`);
        const changed = { ...category, hidden };
        const row = { ...columns(changed), version: await reserveVersions(trx), updated_at: ctx.now().toISOString() };
        // A built-in category gets its row the first time it is hidden.
        await trx
          .insertInto('incident_categories')
          .values({ unit_id: admin.unitId, ...row })
          .onConflict((oc) => oc.columns(['unit_id', 'code']).doUpdateSet({ hidden: row.hidden, version: row.version, updated_at: row.updated_at }))
          .execute();
        await auditChange(trx, admin, request.ip, { change: hidden ? 'incident-category-hidden' : 'incident-category-shown', code });
        return { category: changed };
      });
    });

    app.get('/api/admin/incident-settings', adminOnly, async (request): Promise<IncidentSettings> =>
      unitIncidentSettings(db, sessionUser(request).unitId, ctx.allowIdNumbers ?? false),
    );

    app.put('/api/admin/incident-settings', adminOnly, async (request): Promise<IncidentSettings> => {
      const admin = sessionUser(request);
      const settings = parseOr400(IncidentSettingsSchema, request.body);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('units')
          .set({ incident_id_numbers: settings.idNumbers ? 1 : 0, incident_settings_version: await reserveVersions(trx) })
          .where('id', '=', admin.unitId)
          .execute();
        await auditChange(trx, admin, request.ip, { change: settings.idNumbers ? 'id-numbers-on' : 'id-numbers-off' });
      });
      return settings;
    });
  };

  /** Inside the change's own transaction: no change without its audit row, and the unit's devices told to pull now. */
  async function auditChange(trx: Transaction<Tables>, admin: SessionUser, ip: string, detail: { change: string; code?: string }) {
    await appendAuditEvent(trx, ctx.now(), 'taxonomy-change', { userId: admin.id, badge: admin.badge, ip, detail: JSON.stringify(detail) });
    await publishLive(
      trx,
      ctx.database.notifier,
      { unitId: admin.unitId, squadId: null, officerId: null },
      { kind: 'changes', at: ctx.now().toISOString(), data: {} },
    );
  }
}

function columns(c: IncidentCategory) {
  return {
    code: c.code,
    name_zh: c.name['zh-CN'],
    name_en: c.name.en,
    index_group: c.group,
    preventable: c.preventable ? 1 : 0,
    hidden: c.hidden ? 1 : 0,
  };
}
