import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AuditKind } from '../domain/protocol/accounts.js';
import type { Tables } from './db/schema.js';

/** Appends one event to the audit table; callers await it so an event is never lost silently. */
export async function appendAuditEvent(
  db: Kysely<Tables>,
  at: Date,
  kind: AuditKind,
  fields: { userId?: string | null; badge?: string | null; ip?: string | null; detail?: string | null; deviceId?: string | null },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: uuidv7(),
      at: at.toISOString(),
      kind,
      user_id: fields.userId ?? null,
      badge: fields.badge ?? null,
      ip: fields.ip ?? null,
      detail: fields.detail ?? null,
      device_id: fields.deviceId ?? null,
    })
    .execute();
}
