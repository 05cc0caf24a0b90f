import { useEffect } from 'preact/hooks';
import { connectLive } from '../state/live.js';
import { activeUser } from '../state/session.js';

/** Holds the live channel open while someone is signed in (state/live.ts). */
export function LiveController() {
  const userId = activeUser.value?.id;
  useEffect(() => (userId ? connectLive() : undefined), [userId]);
  return null;
}
