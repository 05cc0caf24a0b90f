import { useEffect } from 'preact/hooks';
import { connectLive } from '../state/live.js';
import { currentUser } from '../state/session.js';

/** Holds the live channel open while someone is signed in (state/live.ts). */
export function LiveController() {
  const userId = currentUser.value?.id;
  useEffect(() => (userId ? connectLive() : undefined), [userId]);
  return null;
}
