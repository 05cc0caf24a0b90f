import { newId } from '../domain/ids.js';
import { PatrolSession, type PatrolEvent, type PatrolReply, type PatrolStart } from '../domain/patrol-session.js';

// The open shift's patrol session lives here, off the main thread (DESIGN.md target: one fix
// against 10,000 checkpoints in ≤ 50 µs). One session per device: the officer's open shift.
let session: PatrolSession | null = null;

/** The session of `shiftId`; for its end with none open (its start failed), one opened just to close it, so the shift still ends in an `off`. */
function sessionOf(shiftId: string, event: PatrolEvent): PatrolSession | null {
  if (session?.shiftId === shiftId) return session;
  if (event.type !== 'end') return null;
  const bare = new PatrolSession(
    { shiftId, startedAt: event.now, onFoot: true, checkpoints: [], checkins: [], tasks: [], last: 'pause', visible: false },
    newId,
  );
  bare.start(event.now);
  return bare;
}

export const patrolService = {
  /** Opens the session of a shift (a new shift, or the app reopened on an open one); any earlier session is dropped. */
  patrolStart(start: PatrolStart, now: number): PatrolReply {
    session = new PatrolSession(start, newId);
    return session.start(now);
  },
  /** One fix, tick or page event of a shift, answered with what to write and show; null for a shift no session records (a late timer). */
  patrol(shiftId: string, event: PatrolEvent): PatrolReply | null {
    return sessionOf(shiftId, event)?.handle(event) ?? null;
  },
  /** Checkpoint ids within `radiusM` of a point, nearest first: the choices for a manual check-in. */
  patrolNear(lat: number, lon: number, radiusM: number): string[] {
    return session ? session.near(lat, lon, radiusM) : [];
  },
};
