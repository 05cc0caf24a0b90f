import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';

// The one place scope is decided: who may read whose records.

/** The owner of some data, as far as scope rules care. */
interface Owner {
  id: string;
  unitId: string;
  squadId: string | null;
}

/** An officer whose records a viewer may read, as the roster has them. */
export interface ScopedOfficer {
  id: string;
  badge: string;
  name: string;
  /** The squad whose plans the officer's shifts owe: the roster's word, not the device's. */
  squadId: string | null;
  /** Made by a patrol simulator: left out of the unit's reports (compliance, coverage). */
  simulated?: boolean;
}

/** The officers a report counts: not the simulator's accounts. */
export function reportable(officers: readonly ScopedOfficer[]): ScopedOfficer[] {
  return officers.filter((o) => !o.simulated);
}

/** An officer sees their own data, a leader their squad's, a supervisor or admin their unit's. */
function canSee(viewer: SessionUser, owner: Owner): boolean {
  switch (viewer.role) {
    case 'officer':
      return viewer.id === owner.id;
    case 'leader':
      return viewer.id === owner.id || (viewer.squadId !== null && viewer.squadId === owner.squadId);
    case 'supervisor':
    case 'admin':
      return viewer.unitId === owner.unitId;
  }
}

/**
 * The users of the roster whose records `viewer` may read; with `only`, just that one, or a 403
 * when it is not in scope. Unknown and out-of-scope ids look the same, so scope cannot be probed.
 */
export async function officersInScope(db: Kysely<Tables>, viewer: SessionUser, only?: string): Promise<ScopedOfficer[]> {
  // Every rule above stays inside the viewer's unit, so the unit's roster is all there is to filter.
  const users = await db
    .selectFrom('users')
    .select(['id', 'badge', 'name', 'unit_id', 'squad_id', 'simulated'])
    .where('unit_id', '=', viewer.unitId)
    .$if(only !== undefined, (q) => q.where('id', '=', only ?? ''))
    .execute();
  const visible = users.filter((u) => canSee(viewer, { id: u.id, unitId: u.unit_id, squadId: u.squad_id }));
  if (only !== undefined && visible.length === 0) throw new HttpError(403, 'forbidden', 'this officer is not in your scope');
  return visible.map((u) => ({ id: u.id, badge: u.badge, name: u.name, squadId: u.squad_id, simulated: u.simulated === 1 }));
}
