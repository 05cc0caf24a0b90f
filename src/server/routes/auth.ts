import type { FastifyInstance } from 'fastify';
import { LoginRequestSchema, type LoginResponse } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { UNKNOWN_USER_HASH, verifyPassword } from '../auth/password.js';
import { createSession, deleteSession, SESSION_COOKIE, toSessionUser } from '../auth/sessions.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { parseOr400 } from '../validate.js';

/** Failed attempts in a row that lock a badge, and for how long. */
const LOCKOUT_ATTEMPTS = 5;
const LOCKOUT_MS = 10 * 60 * 1000;

/** Sign-in, sign-out and "who am I" for the cookie session. */
export function authRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.post('/api/auth/login', async (request, reply) => {
      const { badge, password } = parseOr400(LoginRequestSchema, request.body);
      const now = ctx.now();
      const ip = request.ip;
      const user = await db.selectFrom('users').selectAll().where('badge', '=', badge).executeTakeFirst();

      if (!user) {
        await verifyPassword(password, await UNKNOWN_USER_HASH);
        await appendAuditEvent(db, now, 'login-failed', { badge, ip, detail: 'unknown badge' });
        throw new HttpError(401, 'bad-credentials', 'badge or password is wrong');
      }
      if (user.locked_until && user.locked_until > now.toISOString()) {
        await appendAuditEvent(db, now, 'login-failed', { userId: user.id, badge, ip, detail: 'badge locked' });
        throw lockedError(user.locked_until);
      }
      if (!(await verifyPassword(password, user.password_hash))) {
        const counted = await db
          .updateTable('users')
          .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
          .where('id', '=', user.id)
          .returning('failed_logins')
          .executeTakeFirstOrThrow();
        if (counted.failed_logins >= LOCKOUT_ATTEMPTS) {
          const lockedUntil = new Date(now.getTime() + LOCKOUT_MS).toISOString();
          await db.updateTable('users').set({ locked_until: lockedUntil, failed_logins: 0 }).where('id', '=', user.id).execute();
          await appendAuditEvent(db, now, 'lockout', { userId: user.id, badge, ip, detail: `${LOCKOUT_ATTEMPTS} failed attempts` });
          throw lockedError(lockedUntil);
        }
        await appendAuditEvent(db, now, 'login-failed', { userId: user.id, badge, ip, detail: 'wrong password' });
        throw new HttpError(401, 'bad-credentials', 'badge or password is wrong', {
          attemptsLeft: LOCKOUT_ATTEMPTS - counted.failed_logins,
        });
      }

      await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
      const session = await createSession(db, user.id, now);
      await appendAuditEvent(db, now, 'login', { userId: user.id, badge, ip });
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.tls,
        expires: session.expiresAt,
      });
      return { user: toSessionUser(user) } satisfies LoginResponse;
    });

    app.post('/api/auth/logout', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        const userId = await deleteSession(db, token);
        if (userId) await appendAuditEvent(db, ctx.now(), 'logout', { userId, ip: request.ip });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls });
      return { ok: true };
    });

    app.get('/api/auth/session', { preHandler: requireUser(ctx) }, async (request) => {
      return { user: sessionUser(request) } satisfies LoginResponse;
    });
  };
}

function lockedError(lockedUntil: string): HttpError {
  return new HttpError(423, 'locked', `badge locked after ${LOCKOUT_ATTEMPTS} failed attempts until ${lockedUntil}`, {
    lockedUntil,
  });
}
