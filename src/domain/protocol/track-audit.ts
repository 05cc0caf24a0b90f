import type { BackdatingFlag } from '../backdating.js';
import type { LocalName } from '../checkpoints.js';
import type { NativeProtocol } from '../native-trackers.js';
import type { Role } from '../roles.js';
import type { AuditVerdict } from '../route-replay.js';

// `GET /api/audit/track`: an officer's positions with the chains behind them re-verified.

export interface TrackPoint {
  id: string;
  deviceId: string;
  seq: number;
  at: string;
  fixAt: string;
  lat: number;
  lon: number;
  accuracy: number;
  /** As the device's fix gave them (m/s, degrees, metres), or null when it gave none. */
  speed: number | null;
  heading: number | null;
  altitude: number | null;
  /** When the server received it. */
  receivedAt: string;
  /** Why this point's own time cannot be trusted (received after its device was reported lost, dated before it was registered, or received days late), or null. */
  flag: BackdatingFlag | null;
}

/** What the server found when it re-checked the chains behind a track. */
export interface TrackVerification {
  ok: boolean;
  devices: Array<{
    deviceId: string;
    records: number;
    gaps: Array<{ from: number; to: number }>;
    brokenLinks: number[];
    badSignatures: number[];
    hashMismatches: number[];
    /** The chain head the server acknowledged to the device (its highest accepted record). */
    acknowledged: { seq: number; hash: string };
    /** The highest seq stored for the device now, over its whole chain, not only this window. */
    storedSeq: number;
    /**
     * The stored chain falls short of the acknowledged head: records the device was told were
     * stored are gone from its tail (storedSeq below acknowledged.seq), or the record stored at
     * the acknowledged seq is not the one acknowledged. A deleted tail leaves no gap to see.
     */
    truncated: boolean;
    /** The device's newest record in the window, its seq and stored hash: what a printed report quotes, to be checked against the database. */
    last: { seq: number; hash: string };
  }>;
}

/** A device reported lost, as the audit names it. */
export interface Revocation {
  deviceId: string;
  revokedAt: string;
  /** Records of the page received after `revokedAt`: signed, dated before it, and taken, but whoever held the phone may have made them. */
  receivedAfter: number;
}

/** A change of tracking state in the audited window: every pause is a gap in the route. */
export interface TrackingMark {
  id: string;
  deviceId: string;
  seq: number;
  at: string;
  state: 'on' | 'paused' | 'off';
  reason: string;
}

/** An item of equipment as a shift's start or end lists it. */
export interface EquipmentCount {
  item: string;
  serial: string | null;
  rounds: number | null;
}

export interface AuditTrackResponse {
  /** The window read: from the query, or the last 24 hours (at most 31 days). */
  from: string;
  to: string;
  points: TrackPoint[];
  tracking: TrackingMark[];
  /** The shifts started in the window, with what the audit judges them by: on foot or in a vehicle, and the zones chosen. */
  shiftStarts: Array<{ shiftId: string; at: string; vehicle: string | null; zoneIds: string[]; equipment: EquipmentCount[] }>;
  /** The shifts ended in the window: the equipment brought back, and what was not, with why. */
  shiftEnds: Array<{ shiftId: string; at: string; returned: EquipmentCount[]; missing: Array<EquipmentCount & { reason: string | null }> }>;
  /** The chains of this page's records (a record just before a device's first is read to link it), and each device's stored tail against the head the server acknowledged. */
  verification: TrackVerification;
  /**
   * The devices of this page reported lost, when, and how many of the page's records (any kind)
   * reached the server after that: each is flagged `after-revocation` (backdating.ts).
   */
  revocations: Revocation[];
  /**
   * The window's verdict (route-analysis.ts windowVerdict: the chains, then the route's
   * plausibility) when this page is the whole window; null on the pages of a longer one.
   */
  verdict: AuditVerdict | null;
  /** More records wait: ask again with `after=<next>`; null on the last page. */
  next: string | null;
}

/** `GET /api/audit/native-track`: fixes from the officer's paired native tracker apps, unsigned. */
export interface NativeTrackResponse {
  from: string;
  to: string;
  points: Array<{
    trackerId: string;
    /** The pairing's name, as the officer gave it. */
    tracker: string;
    protocol: NativeProtocol;
    fixAt: string;
    lat: number;
    lon: number;
    accuracy: number | null;
    speed: number | null;
    heading: number | null;
    altitude: number | null;
    receivedAt: string;
  }>;
  /** More fixes than `limit` lie in the window: ask for a shorter one. */
  truncated: boolean;
}

/** `GET /api/audit/views`: who looked at an officer's route, newest first. */
export interface RouteViewsResponse {
  views: Array<{
    at: string;
    officerId: string;
    /** The signed track, or the native tracker fixes. */
    what: 'track' | 'native';
    from: string;
    to: string;
    viewer: { name: string; badge: string; role: Role };
  }>;
}

/** `GET /api/audit/shifts`: the shifts started in a window, newest first, each with its audit verdict. */
export interface AuditShiftsResponse {
  from: string;
  to: string;
  shifts: Array<{
    shiftId: string;
    officerId: string;
    badge: string;
    name: string;
    squadId: string | null;
    startedAt: string;
    /** Null while the shift is open. */
    endedAt: string | null;
    /** As opening the shift would find it (cached until a record that may change it arrives); null when too long to verify at once. */
    verdict: AuditVerdict | null;
  }>;
  /** More shifts started in the window than one answer lists: the newest are listed. */
  truncated: boolean;
  /** What the list's filters offer: the squads in the viewer's scope and their officers, whatever the filters asked. */
  squads: Array<{ id: string; name: LocalName }>;
  officers: Array<{ id: string; badge: string; name: string; squadId: string | null }>;
}
