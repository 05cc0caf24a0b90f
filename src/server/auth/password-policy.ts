import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { DEFAULT_PASSWORD_RULES, passwordProblems, PasswordRulesSchema, type PasswordRules } from '../../domain/password-rules.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';

/** The unit's password rules; a stored value that no longer validates falls back to the defaults. */
export async function unitPasswordRules(db: Kysely<Tables>, unitId: string): Promise<PasswordRules> {
  const row = await db.selectFrom('units').select('password_rules').where('id', '=', unitId).executeTakeFirst();
  if (!row) return DEFAULT_PASSWORD_RULES;
  const parsed = v.safeParse(PasswordRulesSchema, safeJson(row.password_rules));
  return parsed.success ? parsed.output : DEFAULT_PASSWORD_RULES;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // fails the schema above, so the defaults apply
  }
}

/** Throws a 400 naming every rule `password` breaks. */
export function assertPasswordAllowed(password: string, badge: string, rules: PasswordRules): void {
  const problems = passwordProblems(password, badge, rules);
  if (problems.length) {
    throw new HttpError(400, 'bad-request', `the new password breaks the unit's rules: ${problems.join(', ')}`, { passwordProblems: problems, rules });
  }
}

// No 0/O, 1/l/I: the admin reads it out or writes it down for the officer.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password: 14 characters of a 56-letter alphabet (about 81 bits), never stored in the clear. */
export function oneTimePassword(): string {
  let text = '';
  for (let i = 0; i < 14; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return `${text.slice(0, 7)}-${text.slice(7)}`;
}
