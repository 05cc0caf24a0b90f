import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { SESSION_HOURS } from '../../domain/protocol/device-lock.js';
import type { Tables } from '../db/schema.js';

/** Name of the HttpOnly session cookie. */
export const SESSION_COOKIE = 'xf_session';
/** Sessions end 12 hours after sign-in: one shift, never two. */
const SESSION_TTL_MS = SESSION_HOURS * 60 * 60 * 1000;

/** The stored form of a secret token: its SHA-256, so a leaked table grants nothing. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session; returns the opaque token for the cookie (only its hash is stored). */
export async function createSession(db: Kysely<Tables>, userId: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db
    .insertInto('sessions')
    .values({ id: tokenHash(token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString() })
    .execute();
  return { token, expiresAt };
}

/** The user behind a session token, or null when it is unknown or expired. */
export async function findSessionUser(db: Kysely<Tables>, token: string, now: Date): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.badge', 'users.name', 'users.role', 'users.unit_id', 'users.squad_id', 'users.must_change_password'])
    .where('sessions.id', '=', tokenHash(token))
    .where('sessions.expires_at', '>', now.toISOString())
    // A disabled account's sessions are deleted when it is disabled; this holds even if one slipped through.
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? toSessionUser(row) : null;
}

/** Ends a session; unknown tokens are ignored (logging out twice is not an error). */
export async function deleteSession(db: Kysely<Tables>, token: string): Promise<string | null> {
  const row = await db.deleteFrom('sessions').where('id', '=', tokenHash(token)).returning('user_id').executeTakeFirst();
  return row?.user_id ?? null;
}

/** Ends every session of a user (disabled, password reset, password changed elsewhere); `except` keeps one. */
export async function endSessionsOf(db: Kysely<Tables>, userId: string, except?: string): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .$if(except !== undefined, (q) => q.where('id', '!=', tokenHash(except ?? '')))
    .execute();
}

/** Drops expired sessions so the table does not grow without bound. */
export async function pruneSessions(db: Kysely<Tables>, now: Date): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
}

/** The public view of a user row. */
export function toSessionUser(row: {
  id: string;
  badge: string;
  name: string;
  role: SessionUser['role'];
  unit_id: string;
  squad_id: string | null;
  must_change_password?: number;
}): SessionUser {
  const user: SessionUser = { id: row.id, badge: row.badge, name: row.name, role: row.role, unitId: row.unit_id, squadId: row.squad_id };
  return row.must_change_password ? { ...user, mustChangePassword: true } : user;
}
