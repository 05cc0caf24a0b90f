// A record is evidence of when it says it was made only if nothing contradicts that: a device
// cannot write before it was registered, and a record that reaches the server long after its
// time could have been made at any point since. Nor can a record a lost device sends after it
// was reported lost: ingest still takes what it signed before the revocation (what it honestly
// held), but whoever holds the phone can set its clock back and sign records dated before it, and
// the two cannot be told apart. Such records are kept (nothing is dropped) but flagged wherever
// the route and check-ins are shown, and a check-in resting on them is not `verified`.

/** Clock slack allowed before a device's registration: a phone's clock may lag the server's by minutes, a forged shift is days back. */
const REGISTRATION_SLACK_MS = 60 * 60_000;
/** Received this long after its time, a record is late: three days covers a long offline stretch. */
const LATE_AFTER_MS = 72 * 3600_000;

/** Why a record's own time cannot be trusted, or null when nothing contradicts it; in the order they are judged. */
export const BACKDATING_FLAGS = ['after-revocation', 'before-registration', 'received-late'] as const;
export type BackdatingFlag = (typeof BACKDATING_FLAGS)[number];

/** What the server knows of the device that made a record: when it was registered, and when it was reported lost (null: never). */
export interface DeviceDates {
  registeredAt: string | null;
  revokedAt: string | null;
}

/**
 * Judges a record's time (`at`) against its device's registration and revocation and its arrival
 * at the server. Received after its device was reported lost comes first: whatever its date says,
 * it may have been made by whoever holds the phone.
 */
export function backdating(at: string, receivedAt: string, device: DeviceDates): BackdatingFlag | null {
  const made = Date.parse(at);
  const received = Date.parse(receivedAt);
  if (device.revokedAt && received > Date.parse(device.revokedAt)) return 'after-revocation';
  if (device.registeredAt && made < Date.parse(device.registeredAt) - REGISTRATION_SLACK_MS) return 'before-registration';
  if (received - made > LATE_AFTER_MS) return 'received-late';
  return null;
}
