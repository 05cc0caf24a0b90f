import type { Transaction } from 'kysely';
import type { LiveMessage } from '../../domain/protocol/live.js';
import type { Notifier } from '../db/notify.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';

/** The NOTIFY channel every server process listens on. */
export const LIVE_CHANNEL = 'xf_live';

/** Who may see an event: the unit's command always; a squad's leader; the officer it names. */
export interface LiveAudience {
  unitId: string;
  squadId: string | null;
  officerId: string | null;
}

/**
 * Adds a live event inside the transaction that made the change, so an event exists exactly
 * when its change does. Its id comes from the `changes` counter, whose row lock makes ids commit
 * in order: a client that has seen id N has seen every event below N.
 */
export async function publishLive(trx: Transaction<Tables>, notifier: Notifier, audience: LiveAudience, message: LiveMessage): Promise<number> {
  const id = await reserveVersions(trx);
  await trx
    .insertInto('live_events')
    .values({
      id,
      at: message.at,
      kind: message.kind,
      unit_id: audience.unitId,
      squad_id: audience.squadId,
      officer_id: audience.officerId,
      payload: JSON.stringify(message.data),
    })
    .execute();
  await notifier.notify(trx, LIVE_CHANNEL);
  return id;
}
