import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Role } from '../../domain/roles.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { ACCESS } from '../openapi.js';
import { findSessionUser, SESSION_COOKIE } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireUser` on routes that need a session. */
    user?: SessionUser;
  }
}

/**
 * A preHandler that admits only a live session, optionally of given roles. A user signed in with
 * a one-time password is admitted only where `pendingPassword` says so (who am I, the change).
 */
export function requireUser(ctx: ServerContext, roles?: readonly Role[], options: { pendingPassword?: boolean } = {}) {
  const guard = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = request.cookies[SESSION_COOKIE];
    const user = token ? await findSessionUser(ctx.database.db, token, ctx.now()) : null;
    if (!user) throw new HttpError(401, 'unauthenticated', 'sign in first (no session, or it has expired)');
    if (user.mustChangePassword && !options.pendingPassword) {
      throw new HttpError(403, 'password-change-required', 'choose a new password first (POST /api/auth/password)');
    }
    if (roles && !roles.includes(user.role)) throw new HttpError(403, 'forbidden', `role ${user.role} may not do this`);
    request.user = user;
  };
  // The API description reads who may call a route from here, so it cannot say otherwise.
  return Object.assign(guard, { [ACCESS]: roles ?? ('any' as const) });
}

/** The session user of a request that passed `requireUser`. */
export function sessionUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw new Error('route is missing its requireUser preHandler');
  return request.user;
}
