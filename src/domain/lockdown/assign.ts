// Who goes to which control point in a rapid lockdown (快速封控). The rule, in order:
//   1. the leader's pinned pairs stand as given;
//   2. of the rest, as many points are manned as there are officers to send (every point when
//      officers are enough; otherwise one per officer, the others listed as unmanned);
//   3. among those choices, the one whose last point is manned soonest (bottleneck);
//   4. among those, the least total travel time, never at the cost of a later last point.
// Step 3 is exact (see matching.ts); which points stay unmanned when officers are short falls
// out of it: the ones nobody can reach soon. Steps 3 and 4 weigh only the unpinned pairs: a slow
// pinned officer sets the overall last arrival, but does not license slower trips for the others.
// Officers excluded by the leader, without a position or with one too old to trust are not sent,
// and are listed with the reason. A pinned officer is sent from whatever fix there is, however old.
import { isValidLatLon, type LatLon } from '../geo.js';
import { bottleneckAssignment } from './matching.js';
import type { LockdownPoint } from './ring.js';
import { straightLineTravelS, TRAVEL_SPEED_MPS, type TravelMode, type TravelTimeFn } from './travel.js';

/** An on-shift officer who could be sent. */
export interface LockdownOfficer {
  id: string;
  /** The last known fix and how old it is in seconds; null when there is none. */
  position: (LatLon & { ageS: number }) | null;
  mode: TravelMode;
}

/** The leader's adjustments, and what the server may swap in. */
export interface AssignOptions {
  /** Pairs [officerId, pointId] kept whatever their cost; the rest is optimised around them. */
  pinned?: ReadonlyArray<readonly [officerId: string, pointId: string]>;
  /** Officers not to send. (A point not to man is simply left out of `points`.) */
  excluded?: readonly string[];
  /** Fixes older than this do not say where an officer is now; default DEFAULT_MAX_POSITION_AGE_S. */
  maxPositionAgeS?: number;
  /** Default `straightLineTravelS`; road routing plugs in here. */
  travelTimeS?: TravelTimeFn;
}

/** Half an hour: an officer walking for that long may be 3 km from the fix. A leader who knows better pins them. */
export const DEFAULT_MAX_POSITION_AGE_S = 30 * 60;

/** Why an officer was left out of the assignment. */
type UnavailableReason = 'excluded' | 'no-position' | 'stale-position';

/** One manned point. `positionAgeS` travels with the time so the screen can say how sure it is. */
interface LockdownAssignment {
  pointId: string;
  officerId: string;
  travelS: number;
  positionAgeS: number;
  pinned: boolean;
}

/** The proposal: one entry per manned point in the order of `points`, and what is left over. */
export interface LockdownPlan {
  assignments: LockdownAssignment[];
  unmanned: string[];
  /** Officers who could go but are not needed. */
  free: string[];
  unavailable: Array<{ officerId: string; reason: UnavailableReason }>;
  /** When the last manned point is manned, in seconds from the order; null when none is. */
  lastMannedS: number | null;
  totalTravelS: number;
}

/** Input the caller must fix (unknown or repeated ids, impossible pins): the reason is for a 400 reply. */
export class LockdownInputError extends Error {}

/** Proposes who mans which control point; see the rule at the top of this file. */
export function assign(points: readonly LockdownPoint[], officers: readonly LockdownOfficer[], options: AssignOptions = {}): LockdownPlan {
  const travelTimeS = options.travelTimeS ?? straightLineTravelS;
  const maxAgeS = options.maxPositionAgeS ?? DEFAULT_MAX_POSITION_AGE_S;
  const pointById = byId(points, 'control point');
  const officerById = byId(officers, 'officer');
  for (const point of points) if (!isValidLatLon(point)) throw new LockdownInputError(`control point ${point.id} has no valid position`);
  for (const officer of officers) checkOfficer(officer);

  const excluded = new Set(options.excluded ?? []);
  for (const id of excluded) if (!officerById.has(id)) throw new LockdownInputError(`excluded officer ${id} is not on shift`);

  const timeOf = (officer: LockdownOfficer, point: LockdownPoint): number => {
    const seconds = officer.position ? travelTimeS(officer.position, point, officer.mode) : NaN;
    if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`no travel time for officer ${officer.id} to point ${point.id}`);
    return seconds;
  };
  const made = (officer: LockdownOfficer, point: LockdownPoint, travelS: number, pinned: boolean): LockdownAssignment => ({
    pointId: point.id,
    officerId: officer.id,
    travelS,
    positionAgeS: officer.position?.ageS ?? 0,
    pinned,
  });

  const assignmentOfPoint = new Map<string, LockdownAssignment>();
  const pinnedOfficers = new Set<string>();
  for (const [officerId, pointId] of options.pinned ?? []) {
    const officer = officerById.get(officerId);
    const point = pointById.get(pointId);
    if (!officer) throw new LockdownInputError(`pinned officer ${officerId} is not on shift`);
    if (!point) throw new LockdownInputError(`pinned point ${pointId} is not one of the control points`);
    if (pinnedOfficers.has(officerId)) throw new LockdownInputError(`officer ${officerId} is pinned to two points`);
    if (assignmentOfPoint.has(pointId)) throw new LockdownInputError(`point ${pointId} is pinned to two officers`);
    if (excluded.has(officerId)) throw new LockdownInputError(`officer ${officerId} is both pinned and excluded`);
    if (!officer.position) throw new LockdownInputError(`officer ${officerId} has no known position to send from`);
    pinnedOfficers.add(officerId);
    assignmentOfPoint.set(pointId, made(officer, point, timeOf(officer, point), true));
  }

  const unavailable: LockdownPlan['unavailable'] = [];
  const sendable: LockdownOfficer[] = [];
  for (const officer of officers) {
    if (pinnedOfficers.has(officer.id)) continue;
    const reason = unavailableReason(officer, excluded, maxAgeS);
    if (reason) unavailable.push({ officerId: officer.id, reason });
    else sendable.push(officer);
  }
  const open = points.filter((p) => !assignmentOfPoint.has(p.id));

  // Rows are the smaller side, as the matching wants; the cost is the same either way round.
  const officersAreRows = sendable.length <= open.length;
  const rows = Math.min(sendable.length, open.length);
  const cols = Math.max(sendable.length, open.length);
  const cost = new Float64Array(rows * cols);
  for (let o = 0; o < sendable.length; o++) {
    for (let p = 0; p < open.length; p++) cost[officersAreRows ? o * cols + p : p * cols + o] = timeOf(sendable[o]!, open[p]!);
  }
  const { columnOfRow } = bottleneckAssignment({ rows, cols, cost });
  const sent = new Set<string>();
  for (let r = 0; r < rows; r++) {
    const c = columnOfRow[r]!;
    const officer = sendable[officersAreRows ? r : c]!;
    const point = open[officersAreRows ? c : r]!;
    sent.add(officer.id);
    assignmentOfPoint.set(point.id, made(officer, point, cost[r * cols + c]!, false));
  }

  const assignments = points.flatMap((p) => assignmentOfPoint.get(p.id) ?? []);
  return {
    assignments,
    unmanned: points.filter((p) => !assignmentOfPoint.has(p.id)).map((p) => p.id),
    free: sendable.filter((o) => !sent.has(o.id)).map((o) => o.id),
    unavailable,
    lastMannedS: assignments.length ? Math.max(...assignments.map((a) => a.travelS)) : null,
    totalTravelS: assignments.reduce((sum, a) => sum + a.travelS, 0),
  };
}

function byId<T extends { id: string }>(items: readonly T[], what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) throw new LockdownInputError(`${what} ${item.id} is listed twice`);
    map.set(item.id, item);
  }
  return map;
}

function checkOfficer({ id, position, mode }: LockdownOfficer): void {
  if (!Object.hasOwn(TRAVEL_SPEED_MPS, mode)) throw new LockdownInputError(`officer ${id} has an unknown mode of travel`);
  if (position && !(isValidLatLon(position) && Number.isFinite(position.ageS))) throw new LockdownInputError(`officer ${id} has an invalid position`);
}

function unavailableReason({ id, position }: LockdownOfficer, excluded: ReadonlySet<string>, maxAgeS: number): UnavailableReason | null {
  if (excluded.has(id)) return 'excluded';
  if (!position) return 'no-position';
  return position.ageS > maxAgeS ? 'stale-position' : null;
}
