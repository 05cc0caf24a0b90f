import { v7 as uuidv7 } from 'uuid';

/** Any RFC 9562 UUID, lower case. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A version-7 (time-ordered) UUID, lower case. */
export const UUIDV7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new time-ordered id for a record, shift or device. */
export function newId(): string {
  return uuidv7();
}
