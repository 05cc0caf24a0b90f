// `POST /api/auth/login` and the user it answers with.
import * as v from 'valibot';
import { UUID_RE } from '../ids.js';
import { ROLES } from '../roles.js';

/** A badge number as printed on the warrant card: letters and digits, 2 to 16 of them. */
export const BadgeSchema = v.pipe(
  v.string('badge must be a string'),
  v.trim(),
  v.toUpperCase(),
  v.regex(/^[A-Z0-9]{2,16}$/, 'badge must be 2–16 letters or digits'),
);

/** Body of `POST /api/auth/login`. */
export const LoginRequestSchema = v.strictObject(
  {
    badge: BadgeSchema,
    password: v.pipe(v.string('password must be a string'), v.minLength(1, 'password is required'), v.maxLength(256, 'password is too long')),
    /** The device signing in, for the audit log's device column; one that is not the officer's own is just not recorded. */
    deviceId: v.optional(v.pipe(v.string('deviceId must be a string'), v.regex(UUID_RE, 'deviceId must be a UUID'))),
  },
  'login body must be { badge, password, deviceId? } and nothing else',
);

/** The signed-in user as the server describes them; also what the device keeps offline. */
export const SessionUserSchema = v.object({
  id: v.string(),
  badge: v.string(),
  name: v.string(),
  role: v.picklist(ROLES),
  unitId: v.string(),
  squadId: v.nullable(v.string()),
  /** Set after a one-time password: nothing but choosing a new one is allowed until then. */
  mustChangePassword: v.optional(v.boolean()),
});
export type SessionUser = v.InferOutput<typeof SessionUserSchema>;

export interface LoginResponse {
  user: SessionUser;
}
