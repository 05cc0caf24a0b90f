// `GET /api/shifts/open`.
import * as v from 'valibot';
import { UUID_RE } from '../ids.js';

/** A shift started and not yet ended, as a leader or supervisor sees it. */
interface OpenShiftSummary {
  shiftId: string;
  officerId: string;
  badge: string;
  name: string;
  startedAt: string;
  plannedEndAt: string | null;
  /** Still open past its planned end. */
  overdue: boolean;
}

export interface OpenShiftsResponse {
  shifts: OpenShiftSummary[];
}

// `GET /api/shifts/equipment-losses` and `POST /api/shifts/equipment-losses/resolve`.

/** A firearm or ammunition an officer ended a shift without, not yet resolved. */
export interface EquipmentLoss {
  officerId: string;
  badge: string;
  name: string;
  shiftId: string;
  endedAt: string;
  item: string;
  serial: string | null;
  /** The item came back and only rounds are short. */
  itemReturned: boolean;
  /** Rounds not returned; null when the item itself is missing and carried none. */
  rounds: number | null;
  reason: string;
}

export interface EquipmentLossesResponse {
  losses: EquipmentLoss[];
}

/** A leader's (own squad) or supervisor's (own unit) word that a loss is dealt with. */
export const ResolveLossSchema = v.strictObject({
  officerId: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(64, 'is too long')),
  shiftId: v.pipe(v.string('must be a string'), v.regex(UUID_RE, 'must be a lower-case UUID')),
  item: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(64, 'is too long')),
  serial: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.maxLength(64, 'is too long')))),
  note: v.pipe(
    v.string('must be a string'),
    v.maxLength(500, 'must be at most 500 characters'),
    v.check((n) => n.trim() !== '', 'must say how it was resolved'),
  ),
});

export interface ResolveLossResponse {
  resolved: { officerId: string; shiftId: string; item: string; serial: string | null; resolvedBy: string; resolvedAt: string; note: string };
}
