import type { SessionUser } from '../../domain/protocol/auth.js';

/** The owner of some data, as far as scope rules care. */
export interface Owner {
  id: string;
  unitId: string;
  squadId: string | null;
}

/** An officer sees their own data, a leader their squad's, a supervisor or admin their unit's. */
export function canSee(viewer: SessionUser, owner: Owner): boolean {
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
