import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { LoginRequestSchema, SessionUserSchema, type LoginResponse } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { UNKNOWN_USER_HASH, verifyPassword } from '../auth/password.js';
import { createSession, deleteSession, SESSION_COOKIE, toSessionUser } from '../auth/sessions.js';
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
    app.post(
      '/api/auth/login',
      doc({
        summary: 'Sign in with badge and password; sets the HttpOnly session cookie. Five wrong guesses lock the badge for 10 minutes (423)',
        body: LoginRequestSchema,
        response: LoginResponseSchema,
        examples: { officer: { body: { badge: 'J001', password: 'correct horse battery staple' } } },
      }),
      async (request, reply) => {
        const { badge, password } = parseOr400(LoginRequestSchema, request.body);
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

        await guard.badgeSucceeded(badge);
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
      },
    );

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

    app.get(
      '/api/auth/session',
      { preHandler: requireUser(ctx), ...doc({ summary: 'Who the session cookie belongs to', response: LoginResponseSchema }) },
      async (request) => {
        return { user: sessionUser(request) } satisfies LoginResponse;
      },
    );
  };
}

function lockedError(lockedUntil: string): HttpError {
  return new HttpError(423, 'locked', `badge locked after ${LOCKOUT_ATTEMPTS} failed attempts until ${lockedUntil}`, {
    lockedUntil,
  });
}
