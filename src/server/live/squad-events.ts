import type { Transaction } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Notifier } from '../db/notify.js';
import type { Tables } from '../db/schema.js';
import { noteHeard, officerLiveOf, sosAlertsOf, type LiveChanges } from '../records/officer-live.js';
import { publishLive } from './publish.js';

// The live squad's events (issue 13), published in the transaction that made the change: a
// `position` event when an officer's newest fix or tracking state moved on, an `sos` event when
// an alert was raised, cancelled or acknowledged. Each carries the whole new state, so a screen
// applies it without asking again; its event id is that state's version (a copy with a higher
// version is newer), and the row keeps it so a snapshot read later compares the same way.

/** Who sees an officer's events: their unit's command, their squad's leader, themselves. */
function audienceOf(officer: Pick<SessionUser, 'id' | 'unitId' | 'squadId'>) {
  return { unitId: officer.unitId, squadId: officer.squadId, officerId: officer.id };
}

/** After a push's records are derived: notes the officer heard from, and announces what changed. */
export async function announcePush(
  trx: Transaction<Tables>,
  notifier: Notifier,
  officer: SessionUser,
  changes: LiveChanges,
  receivedAt: string,
): Promise<void> {
  await noteHeard(trx, officer.id, receivedAt);
  if (changes.officers.has(officer.id)) await announceOfficerLive(trx, notifier, officer, receivedAt);
  for (const alertId of changes.alerts) await announceSos(trx, notifier, officer, alertId, receivedAt);
}

/** Publishes an officer's live state (a signed or a native fix moved it on), and stamps the row with the event's id. */
export async function announceOfficerLive(
  trx: Transaction<Tables>,
  notifier: Notifier,
  officer: Pick<SessionUser, 'id' | 'unitId' | 'squadId'>,
  at: string,
): Promise<void> {
  const row = await trx.selectFrom('officer_live').selectAll().where('officer_id', '=', officer.id).executeTakeFirstOrThrow();
  const { version: _old, ...state } = officerLiveOf(row);
  const id = await publishLive(trx, notifier, audienceOf(officer), { kind: 'position', at, data: { ...state } });
  await trx.updateTable('officer_live').set({ version: id }).where('officer_id', '=', officer.id).execute();
}

/** Publishes an alert's current state to those who may see it, and stamps it with the event's id. */
export async function announceSos(
  trx: Transaction<Tables>,
  notifier: Notifier,
  officer: Pick<SessionUser, 'id' | 'unitId' | 'squadId'>,
  alertId: string,
  at: string,
): Promise<void> {
  const row = await trx.selectFrom('sos_alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
  const [alert] = await sosAlertsOf(trx, [row]);
  if (!alert) return;
  const { version: _old, ...data } = alert;
  const id = await publishLive(trx, notifier, audienceOf(officer), { kind: 'sos', at, data });
  await trx.updateTable('sos_alerts').set({ version: id }).where('id', '=', alertId).execute();
}
