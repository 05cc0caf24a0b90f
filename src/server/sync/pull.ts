import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Change, PullResponse } from '../../domain/protocol/sync.js';
import { verifiedCheckins } from '../compliance/compliance.js';
import type { Tables } from '../db/schema.js';
import { checkpointFromRow, controlPointFromRow, planFromRow, zoneFromRow } from '../geography/rows.js';
import { FIELD_INCIDENTS_BACK_MS, fieldIncidentRows, incidentDetails } from '../records/incident-view.js';
import type { UnreadableSink } from '../records/reader.js';
import { officerTasksFilter, readTasks } from '../tasks/tasks.js';
import { readSosAlerts } from '../records/officer-live.js';
import { categoryFromRow } from '../incidents/taxonomy.js';

/** Most changes in one pull; the client pulls again while `more` is true. */
const PULL_LIMIT = 1000;
/** Whose check-ins' verdicts a pull carries: the last day's, and an hour ahead for a phone's clock. */
const VERDICTS_BACK_MS = 24 * 3600_000;
const VERDICTS_AHEAD_MS = 3600_000;

interface Versioned {
  version: number;
  change: Change;
}

/**
 * What `user` may see that changed after `cursor`: zones (with population; a zone deleted or moved
 * away as a deletion), checkpoints and roster of their squad
 * (leaders and officers) or of the whole unit (supervisors, admins), and the unit's control points
 * and incident categories and settings;
 * with the last page, the server's verdicts on the user's own recent check-ins.
 */
export async function pullChanges(
  db: Kysely<Tables>,
  user: SessionUser,
  cursor: number,
  at: { now: Date; onUnreadable: UnreadableSink },
): Promise<PullResponse> {
  const wide = user.role === 'supervisor' || user.role === 'admin';
  const squadIds = wide
    ? (await db.selectFrom('squads').select('id').where('unit_id', '=', user.unitId).execute()).map((s) => s.id)
    : user.squadId
      ? [user.squadId]
      : [];
  const limit = PULL_LIMIT + 1;
  const none = Promise.resolve([]);

  const [zones, departures, checkpoints, plans, controlPoints, members, categories, settings] = await Promise.all([
    squadIds.length === 0
      ? none
      : db.selectFrom('zones').selectAll().where('squad_id', 'in', squadIds).where('version', '>', cursor).orderBy('version').limit(limit).execute(),
    // Zones that left these squads for another: gone from here, as a deletion.
    squadIds.length === 0
      ? none
      : db
          .selectFrom('zone_departures')
          .select(['zone_id', 'version'])
          .where('squad_id', 'in', squadIds)
          .where('version', '>', cursor)
          .orderBy('version')
          .limit(limit)
          .execute(),
    squadIds.length === 0
      ? none
      : db
          .selectFrom('checkpoints')
          .innerJoin('zones', 'zones.id', 'checkpoints.zone_id')
          .selectAll('checkpoints')
          .where('zones.squad_id', 'in', squadIds)
          .where('checkpoints.version', '>', cursor)
          .orderBy('checkpoints.version')
          .limit(limit)
          .execute(),
    squadIds.length === 0
      ? none
      : db.selectFrom('plans').selectAll().where('squad_id', 'in', squadIds).where('version', '>', cursor).orderBy('version').limit(limit).execute(),
    db.selectFrom('control_points').selectAll().where('unit_id', '=', user.unitId).where('version', '>', cursor).orderBy('version').limit(limit).execute(),
    db
      .selectFrom('users')
      .select(['id', 'badge', 'name', 'role', 'squad_id', 'version'])
      .where('unit_id', '=', user.unitId)
      .$if(!wide, (qb) => qb.where('squad_id', 'in', squadIds.length ? squadIds : ['']))
      .where('version', '>', cursor)
      .orderBy('version')
      .limit(limit)
      .execute(),
    db.selectFrom('incident_categories').selectAll().where('unit_id', '=', user.unitId).where('version', '>', cursor).orderBy('version').limit(limit).execute(),
    db
      .selectFrom('units')
      .select(['incident_id_numbers', 'incident_settings_version'])
      .where('id', '=', user.unitId)
      .where('incident_settings_version', '>', cursor)
      .execute(),
  ]);

  const all: Versioned[] = [
    ...departures.map((d) => ({ version: Number(d.version), change: remove('zone', d.zone_id) })),
    ...zones.map((z) => ({
      version: Number(z.version),
      change: z.deleted ? remove('zone', z.id) : upsert('zone', z.id, { ...zoneFromRow(z) }),
    })),
    ...checkpoints.map((c) => ({
      version: Number(c.version),
      change: c.deleted ? remove('checkpoint', c.id) : upsert('checkpoint', c.id, checkpointFromRow(c)),
    })),
    ...plans.map((p) => ({
      version: Number(p.version),
      change: p.deleted ? remove('plan', p.id) : upsert('plan', p.id, planFromRow(p)),
    })),
    ...controlPoints.map((p) => ({
      version: Number(p.version),
      change: p.deleted ? remove('control-point', p.id) : upsert('control-point', p.id, { ...controlPointFromRow(p) }),
    })),
    ...members.map((m) => ({
      version: Number(m.version),
      change: upsert('squad-member', m.id, { badge: m.badge, name: m.name, role: m.role, squadId: m.squad_id }),
    })),
    // The unit's own categories and what it hides: the device merges them over the built-in ones.
    ...categories.map((c) => ({ version: Number(c.version), change: upsert('incident-category', c.code, { ...categoryFromRow(c) }) })),
    // The unit's incident settings once its admin has chosen (until then the form offers no identity numbers).
    ...settings.map((u) => ({
      version: Number(u.incident_settings_version),
      change: upsert('incident-settings', 'unit', { idNumbers: Number(u.incident_id_numbers) === 1 }),
    })),
    ...(user.role === 'officer' ? await officerTaskChanges(db, user, cursor, limit) : []),
  ].sort((a, b) => a.version - b.version);

  const page = all.slice(0, PULL_LIMIT);
  const last = page.at(-1);
  const more = all.length > PULL_LIMIT;
  const changes = page.map((p) => p.change);
  if (!more) changes.push(...(await verdictsOf(db, user, at)), ...(await ownAlerts(db, user, at.now)), ...(await fieldIncidents(db, user, at)));
  return { changes, cursor: String(last ? last.version : cursor), more };
}

/**
 * Verdicts are derived, not versioned (a late fix can turn one), so they come with every pull's
 * last page, whatever the cursor: the device replaces its copies with what the server says now.
 */
async function verdictsOf(db: Kysely<Tables>, user: SessionUser, { now, onUnreadable }: { now: Date; onUnreadable: UnreadableSink }): Promise<Change[]> {
  const self = { id: user.id, badge: user.badge, name: user.name, squadId: user.squadId };
  const from = new Date(now.getTime() - VERDICTS_BACK_MS).toISOString();
  const to = new Date(now.getTime() + VERDICTS_AHEAD_MS).toISOString();
  const views = await verifiedCheckins(db, [self], user.unitId, from, to, onUnreadable);
  return views.map((c) => upsert('checkin-verdict', c.id, { verdict: c.verdict, verdictReason: c.verdictReason }));
}

/**
 * The officer's own SOS alerts of the last day, with who acknowledged them: like verdicts, sent
 * with every last page (an acknowledgement changes an alert without a pull cursor version).
 */
async function ownAlerts(db: Kysely<Tables>, user: SessionUser, now: Date): Promise<Change[]> {
  if (user.role !== 'officer') return [];
  const alerts = await readSosAlerts(db, [user.id], new Date(now.getTime() - VERDICTS_BACK_MS).toISOString());
  return alerts.map((a) => upsert('sos', a.id, a as unknown as Record<string, unknown>));
}

/**
 * The incidents the officer reported, updated or was sent to, each whole (timeline, photos with
 * their thumbnails): like verdicts, sent with every last page, since an incident changes by
 * records (anyone's update) that move no pull version. The device replaces its copies.
 */
async function fieldIncidents(db: Kysely<Tables>, user: SessionUser, { now, onUnreadable }: { now: Date; onUnreadable: UnreadableSink }): Promise<Change[]> {
  if (user.role !== 'officer') return [];
  const since = new Date(now.getTime() - FIELD_INCIDENTS_BACK_MS).toISOString();
  const details = await incidentDetails(db, await fieldIncidentRows(db, user, since, onUnreadable), onUnreadable);
  return details.map((d) => upsert('incident', d.incident.incidentId, d as unknown as Record<string, unknown>));
}

/** The officer's tasks that changed after `cursor`, as whole tasks (history included). */
async function officerTaskChanges(db: Kysely<Tables>, officer: SessionUser, cursor: number, limit: number): Promise<Versioned[]> {
  const changed = await officerTasksFilter(officer)(db.selectFrom('tasks').selectAll()).where('version', '>', cursor).orderBy('version').limit(limit).execute();
  if (changed.length === 0) return [];
  const tasks = new Map(
    (
      await readTasks(
        db,
        (qb) =>
          qb.where(
            'id',
            'in',
            changed.map((t) => t.id),
          ),
        changed.length,
      )
    ).map((t) => [t.id, t]),
  );
  return changed.flatMap((row) => {
    const task = tasks.get(row.id);
    return task ? [{ version: Number(row.version), change: upsert('task', task.id, task as unknown as Record<string, unknown>) }] : [];
  });
}

function remove(entity: Change['entity'], id: string): Change {
  return { entity, id, op: 'delete', data: null };
}

function upsert(entity: Change['entity'], id: string, data: Record<string, unknown>): Change {
  return { entity, id, op: 'upsert', data: { id, ...data } };
}
