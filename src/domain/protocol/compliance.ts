// `GET /api/checkins` and `GET /api/compliance`.
import * as v from 'valibot';
import type { LocalName } from '../checkpoints.js';
import type { Completion } from '../plan-schedule.js';

/** A check-in as the server re-verified it against the stored track. */
export interface CheckinView {
  id: string;
  officerId: string;
  deviceId: string;
  seq: number;
  shiftId: string;
  checkpointId: string;
  method: 'geofence' | 'manual';
  enteredAt: string;
  dwellS: number;
  /** The officer's reason, for a manual check-in. */
  reason: string | null;
  verdict: 'verified' | 'weak' | 'unsupported';
  /** Why the verdict is what it is (few-fixes, outside, evidence-missing, …). */
  verdictReason: string;
  insideFixes: number;
}

/**
 * The server's verdict on one of the officer's own check-ins, as pull delivers it (entity
 * `checkin-verdict`, keyed by the check-in's record id) so the device can show it.
 */
export const CheckinVerdictSchema = v.strictObject({
  id: v.string(),
  verdict: v.picklist(['verified', 'weak', 'unsupported']),
  verdictReason: v.string(),
});
export type CheckinVerdict = v.InferOutput<typeof CheckinVerdictSchema>;

export interface CheckinsResponse {
  checkins: CheckinView[];
}

/** One visit a plan asked of a shift, counted from verified check-ins. */
interface RequirementView {
  planId: string;
  checkpointId: string;
  start: string;
  end: string | null;
  needed: number;
  visits: number;
  status: 'done' | 'due' | 'overdue' | 'missed' | 'upcoming';
}

/** How a shift met its plans. */
export interface ShiftCompliance {
  shiftId: string;
  officerId: string;
  badge: string;
  name: string;
  startedAt: string;
  endedAt: string | null;
  /** Visits owed so far that verified check-ins met (plan-schedule's `completion`, the one definition). */
  completion: Completion;
  requirements: RequirementView[];
  checkins: { verified: number; weak: number; unsupported: number };
}

/** How one checkpoint was covered across the shifts in a window. */
export interface CheckpointCompliance {
  checkpointId: string;
  name: LocalName;
  needed: number;
  met: number;
  /** met / needed; null when nothing was required of it in the window. */
  ratio: number | null;
  verified: number;
  weak: number;
  unsupported: number;
  lastVerifiedAt: string | null;
}

export interface ComplianceResponse {
  from: string;
  to: string;
  shifts: ShiftCompliance[];
  checkpoints: CheckpointCompliance[];
}
