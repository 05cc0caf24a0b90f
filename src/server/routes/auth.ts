import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { LoginRequestSchema, SessionUserSchema, type LoginResponse } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from '../auth/password.js';
import { assertPasswordAllowed, unitPasswordRules } from '../auth/password-policy.js';
import { createSession, deleteSession, endSessionsOf, SESSION_COOKIE, toSessionUser } from '../auth/sessions.js';
import { PasswordChangeSchema, type PasswordRulesResponse } from '../../domain/protocol/accounts.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { parseOr400 } from '../validate.js';
import { LOCKOUT_ATTEMPTS, LoginGuard, RunningMedian } from '../auth/login-guard.js';
import { doc } from '../openapi.js';

/** What sign-in and `session` answer. */
const LoginResponseSchema = v.object({ user: SessionUserSchema });

/** Sign-in, sign-out and "who am I" for the cookie session. */
export function authRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const guard = new LoginGuard(db);
  const hashTime = new RunningMedian(50);
  return async (app: FastifyInstance) => {
    const loginDoc = doc({
      summary:
        'Sign in with badge and password; sets the HttpOnly session cookie. Five wrong guesses lock the badge for 10 minutes (423); a disabled account is told so (403) only after the right password',
      body: LoginRequestSchema,
      response: LoginResponseSchema,
      examples: { officer: { body: { badge: 'J001', password: 'correct horse battery staple' } } },
    });
    app.post('/api/auth/login', loginDoc, async (request, reply) => {
      const { badge, password, deviceId } = parseOr400(LoginRequestSchema, request.body);
      const now = ctx.now();
      const ip = request.ip;

      const addressBlockedUntil = await guard.addressBlockedUntil(ip, now);
      if (addressBlockedUntil) {
        await appendAuditEvent(db, now, 'login-failed', { badge, ip, detail: 'address throttled' });
        reply.header('retry-after', String(Math.max(1, Math.ceil((Date.parse(addressBlockedUntil) - now.getTime()) / 1000))));
        throw new HttpError(429, 'too-many-requests', 'too many failed sign-ins from this address; try again later');
      }

      // The slot is taken before the slow hash check, and an unknown badge takes one too: every
      // answer (wrong, unknown, locked) takes as long as a hash check and says the same things.
      const slot = await guard.takeBadgeSlot(badge, now);
      const user = await db.selectFrom('users').selectAll().where('badge', '=', badge).executeTakeFirst();
      if (slot.kind === 'locked') {
        // As slow as a checked guess, without the CPU: a flood of locked guesses costs no hashing.
        await sleep(hashTime.typicalMs);
        await appendAuditEvent(db, now, 'login-failed', { userId: user?.id ?? null, badge, ip, detail: 'badge locked' });
        throw lockedError(slot.lockedUntil);
      }
      const started = performance.now();
      const matches = await verifyPassword(password, user ? user.password_hash : await UNKNOWN_USER_HASH);
      hashTime.observe(performance.now() - started);

      if (!user || !matches) {
        const delayMs = await guard.addressFailed(ip, now);
        const lockedUntil = await guard.badgeFailed(badge, slot.attempt, now);
        const detail = user ? 'wrong password' : 'unknown badge';
        if (delayMs) await sleep(delayMs);
        if (lockedUntil) {
          await appendAuditEvent(db, now, 'lockout', { userId: user?.id ?? null, badge, ip, detail: `${LOCKOUT_ATTEMPTS} failed attempts (${detail})` });
          throw lockedError(lockedUntil);
        }
        await appendAuditEvent(db, now, 'login-failed', { userId: user?.id ?? null, badge, ip, detail });
        throw new HttpError(401, 'bad-credentials', 'badge or password is wrong', { attemptsLeft: LOCKOUT_ATTEMPTS - slot.attempt });
      }

      // Told only to who knows the password, so the answer reveals nothing to a guesser.
      if (user.disabled_at) {
        await guard.badgeSucceeded(badge);
        await appendAuditEvent(db, now, 'login-failed', { userId: user.id, badge, ip, detail: 'account disabled' });
        throw new HttpError(403, 'account-disabled', 'this account has been disabled by an administrator; ask them to enable it');
      }
      // One commit for the count's reset, the session and its audit entry: each on its own waited
      // for a commit of its own behind ingest's, and a sign-in is one event, all or nothing.
      const session = await db.transaction().execute(async (trx) => {
        await guard.badgeSucceeded(badge, trx);
        const made = await createSession(trx, user.id, now);
        // The device column takes only one of this officer's own devices: anything else is just not recorded.
        const device = deviceId
          ? await trx.selectFrom('devices').select('id').where('id', '=', deviceId).where('officer_id', '=', user.id).executeTakeFirst()
          : undefined;
        await appendAuditEvent(trx, now, 'login', { userId: user.id, badge, ip, deviceId: device?.id ?? null });
        return made;
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.tls,
        expires: session.expiresAt,
      });
      return { user: toSessionUser(user) } satisfies LoginResponse;
    });

    app.post(
      '/api/auth/logout',
      doc({ summary: 'End the session of the cookie sent, on every server process; without one, nothing to do' }),
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) {
          const userId = await deleteSession(db, token);
          if (userId) await appendAuditEvent(db, ctx.now(), 'logout', { userId, ip: request.ip });
        }
        reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls });
        return { ok: true };
      },
    );

    const sessionDoc = doc({
      summary: 'Who the session cookie belongs to (also while a one-time password waits to be changed)',
      response: LoginResponseSchema,
    });
    app.get('/api/auth/session', { preHandler: requireUser(ctx, undefined, { pendingPassword: true }), ...sessionDoc }, async (request) => {
      return { user: sessionUser(request) } satisfies LoginResponse;
    });

    const rulesDoc = doc({ summary: "The unit's password rules, for the form that chooses one" });
    app.get('/api/auth/password-rules', { preHandler: requireUser(ctx, undefined, { pendingPassword: true }), ...rulesDoc }, async (request) => {
      return { rules: await unitPasswordRules(db, sessionUser(request).unitId) } satisfies PasswordRulesResponse;
    });

    // The user's own change, and the forced one after a one-time password: the current password
    // again (a session left open on a desk is not enough), the new one under the unit's rules.
    // Every other session of the user ends; this one goes on, no longer restricted.
    const passwordDoc = doc({
      summary: "Change one's own password (the current one again, the new one under the unit's rules); ends the user's other sessions",
      body: PasswordChangeSchema,
      examples: { change: { body: { current: 'correct horse battery staple', next: 'a-new-long-passphrase-9' } } },
    });
    app.post('/api/auth/password', { preHandler: requireUser(ctx, undefined, { pendingPassword: true }), ...passwordDoc }, async (request) => {
      const user = sessionUser(request);
      const { current, next } = parseOr400(PasswordChangeSchema, request.body);
      const now = ctx.now();
      const row = await db.selectFrom('users').select(['password_hash']).where('id', '=', user.id).executeTakeFirstOrThrow();
      if (!(await verifyPassword(current, row.password_hash))) {
        await appendAuditEvent(db, now, 'login-failed', {
          userId: user.id,
          badge: user.badge,
          ip: request.ip,
          detail: 'wrong current password on a password change',
        });
        throw new HttpError(400, 'bad-request', 'current: the current password is wrong');
      }
      if (current === next) throw new HttpError(400, 'bad-request', 'next: the new password must differ from the current one');
      assertPasswordAllowed(next, user.badge, await unitPasswordRules(db, user.unitId));
      const hash = await hashPassword(next);
      await db.updateTable('users').set({ password_hash: hash, must_change_password: 0 }).where('id', '=', user.id).execute();
      await endSessionsOf(db, user.id, request.cookies[SESSION_COOKIE]);
      await appendAuditEvent(db, now, 'password-changed', {
        userId: user.id,
        badge: user.badge,
        ip: request.ip,
        detail: user.mustChangePassword ? 'one-time password replaced' : null,
      });
      const { mustChangePassword: _done, ...rest } = user;
      return { user: rest } satisfies LoginResponse;
    });
  };
}

function lockedError(lockedUntil: string): HttpError {
  return new HttpError(423, 'locked', `badge locked after ${LOCKOUT_ATTEMPTS} failed attempts until ${lockedUntil}`, {
    lockedUntil,
  });
}
