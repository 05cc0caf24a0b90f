// `GET /api/squad/live`, `POST /api/sos/:id/ack`, and the live channel's `position` and `sos`
// events (issue 13): where the squad is, who needs help, who answered.
import * as v from 'valibot';
import type { LocalName } from '../checkpoints.js';
import { UUID_RE } from '../ids.js';

/** A fix older than this is drawn greyed: the officer may have moved since. */
export const POSITION_STALE_MS = 2 * 60_000;
/**
 * An officer on shift whose device has sent nothing for this long has stopped reporting (app
 * closed, phone off or out of coverage): a working app pushes every few seconds while tracking.
 */
const SILENT_AFTER_MS = 5 * 60_000;
/** While an SOS lasts, the device sends a fix this often. */
export const SOS_FIX_EVERY_MS = 5_000;
/** How long the officer holds the SOS control before it fires. */
export const SOS_HOLD_MS = 2_000;

/** An officer's newest fix by device order. */
export interface LiveFix {
  lat: number;
  lon: number;
  accuracy: number;
  speed: number | null;
  heading: number | null;
  fixAt: string;
  seq: number;
}

/** The newest fix from a paired native tracker app: unsigned, shown when it is later than the signed one. */
export interface NativeLiveFix {
  lat: number;
  lon: number;
  accuracy: number | null;
  fixAt: string;
}

/** The newest `tracking` record by device order: on, or paused or off and why. */
export interface LiveTracking {
  state: 'on' | 'paused' | 'off';
  reason: string;
  at: string;
}

/** What ingest keeps per officer; also the `data` of a `position` live event. */
export interface OfficerLive {
  officerId: string;
  position: LiveFix | null;
  tracking: LiveTracking | null;
  native: NativeLiveFix | null;
  /** When the server last received anything from the officer (null until it has, since a rebuild). */
  heardAt: string | null;
  /** Live event id of its last change: of two copies, the higher is newer. */
  version: number;
}

const Uuid = v.pipe(v.string(), v.regex(UUID_RE, 'must be a lower-case UUID'));
const Person = v.strictObject({ id: v.string(), badge: v.string(), name: v.string() });

/** An SOS as leaders, supervisors and the officer who raised it see it (pull, live, snapshot). */
export const SosAlertSchema = v.strictObject({
  id: Uuid,
  officer: Person,
  squadId: v.nullable(v.string()),
  shiftId: v.nullable(v.string()),
  /** Device time of the raise; null while only its cancellation has arrived. */
  raisedAt: v.nullable(v.string()),
  fix: v.nullable(v.strictObject({ lat: v.number(), lon: v.number(), accuracy: v.number(), fixAt: v.string() })),
  cancelledAt: v.nullable(v.string()),
  ackedAt: v.nullable(v.string()),
  ackedBy: v.nullable(Person),
  version: v.number(),
});
export type SosAlert = v.InferOutput<typeof SosAlertSchema>;

/** An SOS still sounds until someone acknowledges it, even once cancelled: the leader must know. */
export function isAlarming(alert: Pick<SosAlert, 'ackedAt'>): boolean {
  return alert.ackedAt === null;
}

/** One officer of the live squad: on shift, or with an SOS not yet acknowledged. */
export interface SquadOfficer extends OfficerLive {
  badge: string;
  name: string;
  squadId: string | null;
  /** The open shift, or null (an SOS off shift). */
  shift: { id: string; startedAt: string } | null;
  /** The task the officer holds and is working, the most recently changed. */
  task: { id: string; title: string; state: string } | null;
  /** The officer's latest SOS of the last 12 hours, or one still unacknowledged. */
  sos: SosAlert | null;
}

/**
 * How an officer's reporting stands at `now` (epoch ms, the server's): when last heard from (the
 * server's receipt, else the newest device time known), whether that is too long ago while on
 * shift, and the likely reason (the last tracking pause) when there is one. A closed app sends no
 * record at all, so "silent and no reason" is itself the sign of it.
 */
export function reporting(
  o: Pick<SquadOfficer, 'shift' | 'heardAt' | 'tracking' | 'position'>,
  now: number,
): { lastHeard: string | null; silent: boolean; stale: boolean; reason: string | null } {
  const lastHeard =
    o.heardAt ??
    [o.tracking?.at, o.position?.fixAt]
      .filter((t): t is string => !!t)
      .sort()
      .at(-1) ??
    null;
  const silent = o.shift !== null && (lastHeard === null || now - Date.parse(lastHeard) > SILENT_AFTER_MS);
  const stale = !o.position || now - Date.parse(o.position.fixAt) > POSITION_STALE_MS;
  const reason = o.tracking && o.tracking.state !== 'on' ? o.tracking.reason : null;
  return { lastHeard, silent, stale, reason };
}

export interface SquadLiveResponse {
  /** The server's clock, so ages are counted from it and not from a phone's wrong one. */
  now: string;
  /** The squads in scope (one for a leader, the unit's for a supervisor), for the filter. */
  squads: Array<{ id: string; code: string; name: LocalName }>;
  officers: SquadOfficer[];
}

/** Query of `GET /api/squad/live`: one squad of the viewer's scope, or all of it. */
export const SquadLiveQuerySchema = v.strictObject({ squadId: v.optional(Uuid) });

export interface SosAckResponse {
  alert: SosAlert;
}

/** The fix a screen shows for an officer: the signed one, or the native tracker's when it is later (marked as such). */
export function shownFix(o: Pick<OfficerLive, 'position' | 'native'>): { lat: number; lon: number; accuracy: number; fixAt: string; native: boolean } | null {
  const signed = o.position;
  const native = o.native ?? null;
  if (native && (!signed || native.fixAt > signed.fixAt))
    return { lat: native.lat, lon: native.lon, accuracy: native.accuracy ?? 0, fixAt: native.fixAt, native: true };
  return signed && { lat: signed.lat, lon: signed.lon, accuracy: signed.accuracy, fixAt: signed.fixAt, native: false };
}
