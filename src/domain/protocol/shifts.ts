// `GET /api/shifts/open`.

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
