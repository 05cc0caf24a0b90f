// The lost-handheld protection (issue 16): the unit's lock policy, the device's recovery key and
// the PIN failures it reports. The device holds its data key wrapped twice: by a key derived from
// the officer's PIN, and by this recovery key, which only the server holds.
import * as v from 'valibot';

/**
 * Hours a password sign-in lasts: the server ends every session then, so a unit may ask for the
 * password sooner, never later (a longer interval would promise what the server does not keep).
 */
export const SESSION_HOURS = 12;

/** How the unit wants its devices locked. */
export const LockPolicySchema = v.strictObject(
  {
    /** Minutes without a touch before the screen locks. */
    idleMinutes: v.pipe(
      v.number('idleMinutes must be a number'),
      v.integer('idleMinutes must be whole'),
      v.minValue(1, 'idleMinutes ≥ 1'),
      v.maxValue(240, 'idleMinutes ≤ 240'),
    ),
    /** A PIN of 6+ digits, or a passphrase of 12+ characters. */
    secret: v.picklist(['pin', 'passphrase'], 'secret must be "pin" or "passphrase"'),
    /** Hours after which a device that can reach the server asks for the password again; at most a session's. */
    resignHours: v.pipe(
      v.number('resignHours must be a number'),
      v.integer('resignHours must be whole'),
      v.minValue(1, 'resignHours ≥ 1'),
      v.maxValue(SESSION_HOURS, `resignHours ≤ ${SESSION_HOURS}: a session ends after ${SESSION_HOURS} hours`),
    ),
  },
  'lock policy must be { idleMinutes, secret, resignHours } and nothing else',
);
export type LockPolicy = v.InferOutput<typeof LockPolicySchema>;
export type SecretKind = LockPolicy['secret'];

/** `GET` and `PUT /api/lock-policy` answer with the unit's policy. */
export interface LockPolicyResponse {
  policy: LockPolicy;
}

/** What a unit that never set one gets: the 30 minutes, a PIN, 12 hours. */
export const DEFAULT_LOCK_POLICY: LockPolicy = { idleMinutes: 30, secret: 'pin', resignHours: 12 };

/** Wrong PINs in a row after which the PIN-wrapped data key is deleted. */
export const PIN_ATTEMPTS = 5;

/** PBKDF2-SHA-256 rounds for the PIN's key (OWASP 2023 asks for 600,000). */
export const PIN_ITERATIONS = 600_000;

/** Characters a passphrase needs at least (a PIN, 6 digits). */
export const PASSPHRASE_MIN_LENGTH = 12;

/**
 * A passphrase's length as the rule counts it: characters (code points), so 口令 is 2, not 2 bytes
 * or 4; spaces at either end count for nothing and a run of them inside counts once, so twelve
 * spaces are no passphrase and 'correct  horse' is no longer than 'correct horse'.
 */
export function passphraseLength(secret: string): number {
  return [...secret.trim().replace(/\s+/gu, ' ')].length;
}

/** True when the secret is acceptable for the unit's kind: 6+ digits, or 12+ characters. */
export function secretAcceptable(secret: string, kind: SecretKind): boolean {
  return kind === 'pin' ? /^\d{6,}$/.test(secret) : passphraseLength(secret) >= PASSPHRASE_MIN_LENGTH;
}

/** `POST /api/devices/:deviceId/challenge` answers with a nonce to sign, good for a few minutes. */
export interface ChallengeResponse {
  nonce: string;
  expiresAt: string;
}

/** Body of `POST /api/devices/:deviceId/recovery-key`: the nonce, signed by the device's key. */
export const RecoveryKeyRequestSchema = v.strictObject(
  {
    nonce: v.pipe(v.string('nonce must be a string'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'nonce must be the one the server gave')),
    signature: v.pipe(v.string('signature must be a string'), v.regex(/^[A-Za-z0-9_-]{86}$/, 'signature must be a base64url P-256 signature (64 bytes)')),
  },
  'recovery key request must be { nonce, signature } and nothing else',
);

/** The device's 256-bit recovery key, base64url. */
export interface RecoveryKeyResponse {
  key: string;
}

/** The text the device signs to prove which device asks: purpose, device and the server's nonce. */
export function recoveryChallengeText(deviceId: string, nonce: string): string {
  return `xunfang recovery key\n${deviceId}\n${nonce}`;
}

/** Body of `POST /api/devices/:deviceId/pin-failures`: wrong PINs typed there while offline or online. */
export const PinFailureReportSchema = v.strictObject(
  {
    failures: v.pipe(
      v.array(
        v.strictObject({
          at: v.pipe(v.string('at must be a string'), v.isoTimestamp('at must be an ISO time')),
          /** Wrong PINs in a row at that moment. */
          count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(PIN_ATTEMPTS)),
        }),
      ),
      v.maxLength(50, 'at most 50 failures per report'),
    ),
  },
  'pin failure report must be { failures: [{ at, count }] }',
);
export type PinFailureReport = v.InferOutput<typeof PinFailureReportSchema>;
