import { signal } from '@preact/signals';
import { newId } from '../../domain/ids.js';
import { positionBody, type PatrolEvent, type PatrolReply } from '../../domain/patrol-session.js';
import type { Fix } from '../../domain/track-filter.js';
import type { CheckinEntry, Priority } from '../../store/schema.js';
import { locale, t } from '../i18n/index.js';
import { worker } from '../worker-bridge.js';
import { insideNow, loadShiftCheckins, writeGeofenceCheckin } from './checkins.js';
import { checkpoints } from './local-copies.js';
import { notify } from './notices.js';
import { loadUnsentTaskUpdates, placesToReach, writeTaskArrival } from './tasks.js';
import { loadRoute, route, tracking, writePosition, writeTracking } from './tracking.js';

// The one write path of the open shift's patrol: each event goes to the worker's session in one
// round trip, and its reply is written here, in the order the events happened.

/** How long a check-in's confirmation stays on screen. */
const CHECKIN_NOTICE_MS = 15_000;

/** Patrol events sent and not yet written: 0 once everything that happened is on disk. */
export const patrolPending = signal(0);

let queue: Promise<unknown> = Promise.resolve();

/** Runs one task after every one before it; its failure is its caller's to show, and the tasks after it still run. */
function inOrder<T>(task: () => Promise<T>): Promise<T> {
  patrolPending.value++;
  const done = queue.then(task).finally(() => patrolPending.value--);
  queue = done.catch(() => undefined); // handled by whoever awaits `done`
  return done;
}

/** Writes what the session asked for, in its order, then shows what it says the screen should. */
async function carryOut(officerId: string, reply: PatrolReply | null): Promise<PatrolReply | null> {
  if (!reply) return null;
  for (const rec of reply.records) {
    if (rec.kind === 'position') await writePosition(officerId, rec);
    else if (rec.kind === 'tracking') await writeTracking(officerId, rec);
    else if (rec.kind === 'task.update') await writeTaskArrival(officerId, rec);
    else announce(await writeGeofenceCheckin(officerId, rec));
  }
  if (JSON.stringify(reply.inside) !== JSON.stringify(insideNow.peek())) insideNow.value = reply.inside;
  const status = tracking.peek();
  if (!status || status.state !== reply.tracking.state || status.reason !== reply.tracking.reason || status.since !== reply.tracking.since) {
    tracking.value = reply.tracking;
  }
  return reply;
}

function announce(entry: CheckinEntry): void {
  navigator.vibrate?.([200, 100, 200]);
  const name = checkpoints.peek().find((c) => c.id === entry.checkpointId)?.name;
  // Long enough to be read after the vibration makes the officer look.
  notify('info', t('checkin.done', { name: name ? name[locale.value] : entry.checkpointId, s: entry.dwellS }), undefined, CHECKIN_NOTICE_MS);
}

/** Opens the patrol session of the open shift (new, or the app reopened on it) with what the device holds of it. */
export function startPatrol(
  officerId: string,
  shift: { shiftId: string; startedAt: number; onFoot: boolean },
  visible: boolean,
  now: number,
): Promise<PatrolReply | null> {
  return inOrder(async () => {
    // The unsent updates first: a place reached before a reload is not reached again.
    const [checkins] = await Promise.all([loadShiftCheckins(shift.shiftId), loadRoute(shift.shiftId), loadUnsentTaskUpdates(officerId)]);
    const last = route.peek().at(-1);
    const reply = await worker().patrolStart(
      {
        ...shift,
        checkpoints: [...checkpoints.peek()],
        checkins: checkins.filter((c) => c.method === 'geofence').map((c) => ({ checkpointId: c.checkpointId, enteredAt: Date.parse(c.enteredAt) })),
        tasks: placesToReach(officerId),
        last: !last ? 'nothing' : last.kind === 'fix' ? 'fix' : 'pause',
        visible,
      },
      now,
    );
    return carryOut(officerId, reply);
  });
}

/** One event of the shift's patrol: answered by the worker, written here; resolves once written. */
export function sendPatrol(officerId: string, shiftId: string, event: PatrolEvent): Promise<PatrolReply | null> {
  return inOrder(async () => carryOut(officerId, await worker().patrol(shiftId, event)));
}

/** The manual report (and an SOS's fixes, at priority 0): one fix as a `position` record of the shift, written in line with the session's records. */
export function reportFix(officerId: string, shiftId: string, fix: Fix, priority?: Priority): Promise<void> {
  return inOrder(() => writePosition(officerId, { kind: 'position', id: newId(), at: Date.now(), body: positionBody(shiftId, fix) }, priority));
}
