// A unit's password rules (issue 16), judged the same way wherever a password is chosen: a
// one-time password's replacement, a user's own change. Sign-in never judges: passwords chosen
// before a rule existed keep working until they are changed.
import * as v from 'valibot';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** What a unit may set; absent fields take the defaults. */
export const PasswordRulesSchema = v.strictObject({
  minLength: v.optional(
    v.pipe(v.number(), v.integer('minLength must be a whole number'), v.minValue(8, 'minLength is at least 8'), v.maxValue(64, 'minLength is at most 64')),
    10,
  ),
  notBadge: v.optional(v.boolean('notBadge must be true or false'), true),
  notCommon: v.optional(v.boolean('notCommon must be true or false'), true),
});
export type PasswordRules = v.InferOutput<typeof PasswordRulesSchema>;

/** The rules of a unit that never set any. */
export const DEFAULT_PASSWORD_RULES: PasswordRules = v.parse(PasswordRulesSchema, {});

/** The longest password accepted anywhere (sign-in refuses longer ones too). */
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordProblem = 'too-short' | 'too-long' | 'is-badge' | 'common';

/** Lower case with everything but letters and digits taken out: "J-001" and "j001" are one badge. */
const folded = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

/** Every rule `password` breaks for the user with `badge`; empty when it may be used. */
export function passwordProblems(password: string, badge: string, rules: PasswordRules): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password.normalize('NFC')].length;
  if (length < rules.minLength) problems.push('too-short');
  if (length > MAX_PASSWORD_LENGTH) problems.push('too-long');
  const plain = folded(password);
  const badgeText = folded(badge);
  // The badge itself, or the badge with a little padding ("J001J001", "j001!!", "j00112").
  if (rules.notBadge && badgeText !== '' && plain.includes(badgeText) && plain.replaceAll(badgeText, '').length <= 2) problems.push('is-badge');
  if (rules.notCommon && (COMMON_PASSWORDS.has(plain) || COMMON_PASSWORDS.has(password.toLowerCase()))) problems.push('common');
  return problems;
}
