/** The four roles of DESIGN.md, in order of widening scope. */
export const ROLES = ['officer', 'leader', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `value` names a role; guards data read back from storage or the wire. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The path of each role's home screen, the first thing a user sees after signing in. */
export function homePath(role: Role): string {
  return `/${role}`;
}
