// What every endpoint shares: its error bodies, and `GET /api/health`.
import * as v from 'valibot';
import type { RosterRowProblems } from '../roster-csv.js';

export interface HealthResponse {
  ok: true;
  db: 'sqlite' | 'postgres';
  version: string;
}

/** Machine-readable codes of API errors; the client maps each to catalog text. */
export type ApiErrorCode =
  | 'bad-request'
  | 'unauthenticated'
  | 'bad-credentials'
  | 'locked'
  | 'account-disabled'
  | 'password-change-required'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'too-many-requests'
  | 'busy'
  | 'storage-full'
  | 'internal';

/** Every 4xx/5xx body the server sends. */
export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
  /** ISO time the badge unlocks, for `locked`. */
  lockedUntil?: string;
  /** Attempts left before the badge locks, for `bad-credentials`. */
  attemptsLeft?: number;
  /** Whose blob quota is used up, for `storage-full` (507). */
  storage?: 'unit' | 'officer';
  /** Every problem found, for inputs (an import file) that can have many. */
  problems?: string[];
  /** Every bad row of a roster import, by line (issue 16). */
  rows?: RosterRowProblems[];
  /** The rules a refused new password broke, and the unit's rules. */
  passwordProblems?: string[];
  rules?: { minLength: number; notBadge: boolean; notCommon: boolean };
}

/**
 * Human-readable text for the first issue valibot found, with its path ("badge: …"). Never the
 * input itself: valibot's own messages end in "but received <the value>", which is cut, so an
 * answer does not echo what was sent (a password typed into the wrong field, say).
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid input';
  const path = v.getDotPath(first);
  const message = first.message.replace(/ but received [\s\S]*$/, '');
  return path ? `${path}: ${message}` : message;
}
