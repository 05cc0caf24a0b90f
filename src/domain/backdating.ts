// A record is evidence of when it says it was made only if nothing contradicts that: a device
// cannot write before it was registered, and a record that reaches the server long after its
// time could have been made at any point since. Such records are kept (nothing is dropped) but
// flagged wherever the route and check-ins are shown, and a check-in resting on them is not
// `verified`.

/** Clock slack allowed before a device's registration: a phone's clock may lag the server's by minutes, a forged shift is days back. */
const REGISTRATION_SLACK_MS = 60 * 60_000;
/** Received this long after its time, a record is late: three days covers a long offline stretch. */
const LATE_AFTER_MS = 72 * 3600_000;

/** Why a record's own time cannot be trusted, or null when nothing contradicts it. */
export type BackdatingFlag = 'before-registration' | 'received-late';

/** Judges a record's time (`at`) against its device's registration and its arrival at the server. */
export function backdating(at: string, receivedAt: string, deviceRegisteredAt: string | null): BackdatingFlag | null {
  const made = Date.parse(at);
  if (deviceRegisteredAt && made < Date.parse(deviceRegisteredAt) - REGISTRATION_SLACK_MS) return 'before-registration';
  if (Date.parse(receivedAt) - made > LATE_AFTER_MS) return 'received-late';
  return null;
}
