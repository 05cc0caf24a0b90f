import type { Transaction } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import type { ServerContext } from '../context.js';
import type { Tables } from '../db/schema.js';
import { publishLive } from '../live/publish.js';

/**
 * Inside a geography change's own transaction (zones, checkpoints, plans, control points): no
 * change without its audit row, and the unit's devices told over the live channel to pull now.
 */
export async function recordGeographyChange(ctx: ServerContext, trx: Transaction<Tables>, admin: SessionUser, ip: string, detail: object): Promise<void> {
  await appendAuditEvent(trx, ctx.now(), 'geography-change', { userId: admin.id, badge: admin.badge, ip, detail: JSON.stringify(detail) });
  await announceGeographyChange(ctx, trx, admin);
}

/** Tells the unit's devices over the live channel that geography changed: they pull (the live channel carries no data). */
export function announceGeographyChange(ctx: ServerContext, trx: Transaction<Tables>, admin: SessionUser): Promise<number> {
  return publishLive(
    trx,
    ctx.database.notifier,
    { unitId: admin.unitId, squadId: null, officerId: null },
    { kind: 'changes', at: ctx.now().toISOString(), data: {} },
  );
}
