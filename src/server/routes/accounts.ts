import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import * as v from 'valibot';
import { newId } from '../../domain/ids.js';
import { PasswordRulesSchema } from '../../domain/password-rules.js';
import {
  NewSquadSchema,
  NewUserSchema,
  SquadRenameSchema,
  UnitRenameSchema,
  UserDisabledSchema,
  UserEditSchema,
  type AuditKind,
  type OneTimePassword,
  type PasswordRulesResponse,
  type RosterImportOutcome,
  type RosterPerson,
  type RosterResponse,
  type UnitResponse,
} from '../../domain/protocol/accounts.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Role } from '../../domain/roles.js';
import { badRow, parseRosterCsv, type RosterProblem, type RosterRowProblems } from '../../domain/roster-csv.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { hashPassword } from '../auth/password.js';
import { oneTimePassword, unitPasswordRules } from '../auth/password-policy.js';
import { endSessionsOf } from '../auth/sessions.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import { HttpError } from '../errors.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const IdParams = v.strictObject({ id: v.string() });
/** A roster of 5,000 rows at about 60 bytes each. */
const ROSTER_BODY_LIMIT = 512 * 1024;
/** Roles that have a squad; supervisors and admins may have one or not. */
const SQUADDED: readonly Role[] = ['officer', 'leader'];

/**
 * Accounts, squads and the unit (issue 16). The admin manages the users and squads of their own unit, and its name:
 * create, edit, move, set role, disable, reset a password, import a roster CSV (all or nothing),
 * set the unit's password rules. Leaders read their squad's roster, supervisors and admins the
 * unit's. Every change is in the audit log and bumps the roster's pull version.
 */
export function accountRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };
  const audit = (trx: Db, admin: SessionUser, request: FastifyRequest, kind: AuditKind, detail: unknown): Promise<void> =>
    appendAuditEvent(trx, ctx.now(), kind, { userId: admin.id, badge: admin.badge, ip: request.ip, detail: JSON.stringify(detail) });

  return async (app: FastifyInstance) => {
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: ROSTER_BODY_LIMIT }, (_request, body, done) => done(null, body));

    app.get(
      '/api/roster',
      {
        preHandler: requireUser(ctx, ['leader', 'supervisor', 'admin']),
        ...doc({ summary: 'The squads and people a viewer may see: a leader their squad, a supervisor or admin the unit' }),
      },
      async (request) => roster(db, sessionUser(request)),
    );

    app.get('/api/admin/users', { ...adminOnly, ...doc({ summary: "The unit's squads and people, disabled and simulated ones marked" }) }, async (request) =>
      roster(db, sessionUser(request)),
    );

    app.post(
      '/api/admin/users',
      {
        ...adminOnly,
        ...doc({ summary: 'Create a user with a one-time password, shown once, to be changed at first sign-in', body: NewUserSchema, status: 201 }),
      },
      async (request, reply) => {
        const admin = sessionUser(request);
        const input = parseOr400(NewUserSchema, request.body);
        await assertSquadFits(db, admin, input.role, input.squadId);
        const password = oneTimePassword();
        const hash = await hashPassword(password);
        const id = newId();
        await db.transaction().execute(async (trx) => {
          if (await trx.selectFrom('users').select('id').where('badge', '=', input.badge).executeTakeFirst()) {
            throw new HttpError(409, 'conflict', `badge ${input.badge} is already taken`);
          }
          await trx
            .insertInto('users')
            .values({
              id,
              badge: input.badge,
              name: input.name,
              role: input.role,
              unit_id: admin.unitId,
              squad_id: input.squadId,
              password_hash: hash,
              created_at: ctx.now().toISOString(),
              must_change_password: 1,
              version: await reserveVersions(trx),
            })
            .execute();
          await audit(trx, admin, request, 'user-created', { badge: input.badge, role: input.role, squadId: input.squadId });
        });
        return reply.status(201).send({ badge: input.badge, name: input.name, oneTimePassword: password } satisfies OneTimePassword);
      },
    );

    // Name, role and squad at once: a move between squads is an edit of squadId.
    app.put(
      '/api/admin/users/:id',
      { ...adminOnly, ...doc({ summary: "Edit a user's name, role and squad (a move between squads is an edit)", params: IdParams, body: UserEditSchema }) },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const input = parseOr400(UserEditSchema, request.body);
        const user = await unitUser(db, admin, id);
        await assertSquadFits(db, admin, input.role, input.squadId);
        if (user.id === admin.id && input.role !== 'admin') throw new HttpError(409, 'conflict', 'an admin cannot take their own admin role away');
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ name: input.name, role: input.role, squad_id: input.squadId, version: await reserveVersions(trx) })
            .where('id', '=', id)
            .execute();
          await audit(trx, admin, request, 'user-changed', {
            badge: user.badge,
            from: { name: user.name, role: user.role, squadId: user.squad_id },
            to: input,
          });
        });
        return { ok: true };
      },
    );

    // Disabling ends every session of the user at once; sign-in then says the account is disabled.
    app.post(
      '/api/admin/users/:id/disabled',
      { ...adminOnly, ...doc({ summary: 'Disable a user (their sessions end at once) or enable them again', params: IdParams, body: UserDisabledSchema }) },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const { disabled } = parseOr400(UserDisabledSchema, request.body);
        const user = await unitUser(db, admin, id);
        if (user.id === admin.id && disabled) throw new HttpError(409, 'conflict', 'an admin cannot disable their own account');
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ disabled_at: disabled ? (user.disabled_at ?? ctx.now().toISOString()) : null, version: await reserveVersions(trx) })
            .where('id', '=', id)
            .execute();
          if (disabled) await endSessionsOf(trx, id);
          await audit(trx, admin, request, disabled ? 'user-disabled' : 'user-enabled', { badge: user.badge });
        });
        return { ok: true };
      },
    );

    // A one-time password, shown once; the user's sessions end and the next sign-in must replace it.
    app.post(
      '/api/admin/users/:id/password-reset',
      { ...adminOnly, ...doc({ summary: 'Give a user a new one-time password (shown once); their sessions end', params: IdParams }) },
      async (request) => {
        const admin = sessionUser(request);
        const { id } = parseOr400(IdParams, request.params);
        const user = await unitUser(db, admin, id);
        const password = oneTimePassword();
        const hash = await hashPassword(password);
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('users').set({ password_hash: hash, must_change_password: 1 }).where('id', '=', id).execute();
          await endSessionsOf(trx, id);
          await audit(trx, admin, request, 'password-reset', { badge: user.badge });
        });
        return { badge: user.badge, name: user.name, oneTimePassword: password } satisfies OneTimePassword;
      },
    );

    app.post(
      '/api/admin/roster',
      {
        ...adminOnly,
        bodyLimit: ROSTER_BODY_LIMIT,
        ...doc({
          summary:
            'Import a roster CSV (badge,name,role,squad[,simulated]) all or nothing: a bad row names every bad row and writes nothing; new users get one-time passwords, shown once',
          bodyTypes: ['text/csv'],
          bodyNote: 'CSV with the header badge,name,role,squad and optionally simulated (true/false)',
        }),
      },
      async (request, reply) => {
        const admin = sessionUser(request);
        const type = request.headers['content-type'] ?? '';
        if (typeof request.body !== 'string' || !/^text\/(csv|plain)\b/.test(type)) {
          throw new HttpError(415, 'unsupported-media-type', 'send the roster as text/csv with the header badge,name,role,squad');
        }
        const outcome = await importRoster(db, admin, request.body, ctx.now(), (trx, detail) => audit(trx, admin, request, 'roster-import', detail));
        if (!outcome.ok) {
          return reply.status(400).send({ error: 'bad-request', message: outcome.message, rows: outcome.rows });
        }
        return outcome.value;
      },
    );

    app.post(
      '/api/admin/squads',
      { ...adminOnly, ...doc({ summary: 'Create a squad of the unit', body: NewSquadSchema, status: 201 }) },
      async (request, reply) => {
        const admin = sessionUser(request);
        const input = parseOr400(NewSquadSchema, request.body);
        const id = newId();
        await db.transaction().execute(async (trx) => {
          const taken = await trx.selectFrom('squads').select('id').where('unit_id', '=', admin.unitId).where('code', '=', input.code).executeTakeFirst();
          if (taken) throw new HttpError(409, 'conflict', `squad code ${input.code} is already taken in your unit`);
          await trx
            .insertInto('squads')
            .values({ id, unit_id: admin.unitId, code: input.code, name_zh: input.name['zh-CN'], name_en: input.name.en })
            .execute();
          await audit(trx, admin, request, 'squad-change', { created: { id, ...input } });
        });
        return reply.status(201).send({ id, code: input.code, name: input.name });
      },
    );

    app.put('/api/admin/squads/:id', { ...adminOnly, ...doc({ summary: 'Rename a squad', params: IdParams, body: SquadRenameSchema }) }, async (request) => {
      const admin = sessionUser(request);
      const { id } = parseOr400(IdParams, request.params);
      const { name } = parseOr400(SquadRenameSchema, request.body);
      await db.transaction().execute(async (trx) => {
        const renamed = await trx
          .updateTable('squads')
          .set({ name_zh: name['zh-CN'], name_en: name.en })
          .where('id', '=', id)
          .where('unit_id', '=', admin.unitId)
          .executeTakeFirst();
        if (Number(renamed.numUpdatedRows) === 0) throw new HttpError(404, 'not-found', 'no such squad in your unit');
        await audit(trx, admin, request, 'squad-change', { renamed: { id, name } });
      });
      return { ok: true };
    });

    app.get('/api/admin/unit', { ...adminOnly, ...doc({ summary: "The admin's own unit and its names" }) }, async (request): Promise<UnitResponse> => {
      const admin = sessionUser(request);
      const unit = await db.selectFrom('units').select(['id', 'name_zh', 'name_en']).where('id', '=', admin.unitId).executeTakeFirstOrThrow();
      return { id: unit.id, name: { 'zh-CN': unit.name_zh, en: unit.name_en } };
    });

    app.put(
      '/api/admin/unit',
      { ...adminOnly, ...doc({ summary: "Rename the admin's own unit (Chinese and English names)", body: UnitRenameSchema }) },
      async (request): Promise<UnitResponse> => {
        const admin = sessionUser(request);
        const { name } = parseOr400(UnitRenameSchema, request.body);
        await db.transaction().execute(async (trx) => {
          const before = await trx.selectFrom('units').select(['name_zh', 'name_en']).where('id', '=', admin.unitId).executeTakeFirstOrThrow();
          await trx.updateTable('units').set({ name_zh: name['zh-CN'], name_en: name.en }).where('id', '=', admin.unitId).execute();
          await audit(trx, admin, request, 'unit-change', { renamed: { from: { 'zh-CN': before.name_zh, en: before.name_en }, to: name } });
        });
        return { id: admin.unitId, name };
      },
    );

    app.get('/api/admin/password-rules', { ...adminOnly, ...doc({ summary: "The unit's password rules" }) }, async (request) => {
      return { rules: await unitPasswordRules(db, sessionUser(request).unitId) } satisfies PasswordRulesResponse;
    });

    app.put(
      '/api/admin/password-rules',
      {
        ...adminOnly,
        ...doc({ summary: "Set the unit's password rules (minimum length 8–64; never the badge or a common password)", body: PasswordRulesSchema }),
      },
      async (request) => {
        const admin = sessionUser(request);
        const rules = parseOr400(PasswordRulesSchema, request.body);
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('units')
            .set({ password_rules: JSON.stringify(rules) })
            .where('id', '=', admin.unitId)
            .execute();
          await audit(trx, admin, request, 'password-rules-change', rules);
        });
        return { rules } satisfies PasswordRulesResponse;
      },
    );
  };
}

type Db = Kysely<Tables> | Transaction<Tables>;

/** The squads and people a viewer may see: a leader their squad, a supervisor or admin the unit. */
async function roster(db: Kysely<Tables>, viewer: SessionUser): Promise<RosterResponse> {
  const squadOnly = viewer.role === 'leader';
  const [squads, people] = await Promise.all([
    db
      .selectFrom('squads')
      .select(['id', 'code', 'name_zh', 'name_en'])
      .where('unit_id', '=', viewer.unitId)
      .$if(squadOnly, (q) => q.where('id', '=', viewer.squadId ?? ''))
      .orderBy('code')
      .execute(),
    db
      .selectFrom('users')
      .select(['id', 'badge', 'name', 'role', 'squad_id', 'disabled_at', 'simulated'])
      .where('unit_id', '=', viewer.unitId)
      .$if(squadOnly, (q) => q.where('squad_id', '=', viewer.squadId ?? ''))
      .orderBy('badge')
      .execute(),
  ]);
  return {
    squads: squads.map((s) => ({ id: s.id, code: s.code, name: { 'zh-CN': s.name_zh, en: s.name_en } })),
    people: people.map((p): RosterPerson => ({
      id: p.id,
      badge: p.badge,
      name: p.name,
      role: p.role,
      squadId: p.squad_id,
      disabledAt: p.disabled_at,
      simulated: p.simulated === 1,
    })),
  };
}

/** A user of the admin's unit; another unit's look like unknown ones. */
async function unitUser(db: Kysely<Tables>, admin: SessionUser, id: string) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'badge', 'name', 'role', 'squad_id', 'disabled_at'])
    .where('id', '=', id)
    .where('unit_id', '=', admin.unitId)
    .executeTakeFirst();
  if (!user) throw new HttpError(404, 'not-found', 'no such user in your unit');
  return user;
}

/** Officers and leaders need a squad of the admin's unit; anyone's squad must be of that unit. */
async function assertSquadFits(db: Kysely<Tables>, admin: SessionUser, role: Role, squadId: string | null): Promise<void> {
  if (squadId === null) {
    if (SQUADDED.includes(role)) throw new HttpError(400, 'bad-request', `squadId: a${role === 'officer' ? 'n' : ''} ${role} needs a squad`);
    return;
  }
  const squad = await db.selectFrom('squads').select('id').where('id', '=', squadId).where('unit_id', '=', admin.unitId).executeTakeFirst();
  if (!squad) throw new HttpError(400, 'bad-request', 'squadId: not a squad of your unit');
}

type ImportResult = { ok: true; value: RosterImportOutcome } | { ok: false; message: string; rows: RosterRowProblems[] };

/**
 * Imports a roster CSV, all or nothing: every row is checked (format, squad code, a badge held by
 * another unit) before anything is written; new badges get one-time passwords (returned once,
 * to be changed at first sign-in), known ones their name, role, squad and simulated mark updated.
 */
async function importRoster(
  db: Kysely<Tables>,
  admin: SessionUser,
  text: string,
  now: Date,
  auditImport: (trx: Transaction<Tables>, detail: unknown) => Promise<void>,
): Promise<ImportResult> {
  const parsed = parseRosterCsv(text);
  if (!parsed.ok) return parsed;
  const squads = new Map(
    (await db.selectFrom('squads').select(['id', 'code']).where('unit_id', '=', admin.unitId).execute()).map((s) => [s.code.toUpperCase(), s.id]),
  );
  const existing = new Map(
    (
      await db
        .selectFrom('users')
        .select(['id', 'badge', 'unit_id', 'name', 'role', 'squad_id', 'simulated'])
        .where(
          'badge',
          'in',
          parsed.rows.map((r) => r.badge),
        )
        .execute()
    ).map((u) => [u.badge, u]),
  );
  const bad: RosterRowProblems[] = [];
  for (const row of parsed.rows) {
    const problems: RosterProblem[] = [];
    if (row.squad !== null && !squads.has(row.squad.toUpperCase())) problems.push({ code: 'unknown-squad', squad: row.squad });
    const known = existing.get(row.badge);
    if (known && known.unit_id !== admin.unitId) problems.push({ code: 'foreign-badge', badge: row.badge });
    if (known?.id === admin.id && row.role !== 'admin') problems.push({ code: 'own-admin' });
    if (problems.length) bad.push(badRow(row.line, problems));
  }
  if (bad.length) return { ok: false, message: `${bad.length} bad row${bad.length === 1 ? '' : 's'}, nothing imported`, rows: bad };

  const fresh = parsed.rows.filter((r) => !existing.has(r.badge));
  // Hashed before the transaction: scrypt is slow on purpose, and a transaction should not wait on it.
  const passwords = fresh.map(() => oneTimePassword());
  const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
  const created: OneTimePassword[] = [];
  const updated: string[] = [];
  await db.transaction().execute(async (trx) => {
    let version = await reserveVersions(trx, parsed.rows.length);
    for (const row of parsed.rows) {
      const squadId = row.squad === null ? null : (squads.get(row.squad.toUpperCase()) ?? null);
      const known = existing.get(row.badge);
      if (known) {
        await trx
          .updateTable('users')
          .set({ name: row.name, role: row.role, squad_id: squadId, simulated: row.simulated ? 1 : 0, version: version++ })
          .where('id', '=', known.id)
          .execute();
        updated.push(row.badge);
        continue;
      }
      const index = created.length;
      await trx
        .insertInto('users')
        .values({
          id: newId(),
          badge: row.badge,
          name: row.name,
          role: row.role,
          unit_id: admin.unitId,
          squad_id: squadId,
          password_hash: hashes[index] ?? '',
          created_at: now.toISOString(),
          must_change_password: 1,
          simulated: row.simulated ? 1 : 0,
          version: version++,
        })
        .execute();
      created.push({ badge: row.badge, name: row.name, oneTimePassword: passwords[index] ?? '' });
    }
    await auditImport(trx, { created: created.map((c) => c.badge), updated });
  });
  return { ok: true, value: { created, updated } };
}
