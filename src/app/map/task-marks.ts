import type { TaskMark } from '../../domain/tasks.js';

// Outside the map chunk, so the board's legend can show the colours without loading maplibre.

/** Each task mark's colour, on the map's areas and markers and in the board's legend alike. */
export const MARK_COLOURS: Record<TaskMark, string> = {
  overdue: '#ff3b5c',
  urgent: '#ff8a1a',
  assigned: '#f2b705',
  working: '#2fbf71',
  open: '#35d0f0',
};
