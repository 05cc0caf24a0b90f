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
  }>;
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

export interface AuditTrackResponse {
  points: TrackPoint[];
  tracking: TrackingMark[];
  verification: TrackVerification;
}
