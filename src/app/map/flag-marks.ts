import type { BackdatingFlag } from '../../domain/backdating.js';

// Outside the map chunk, so the audit's legend can show the colours without loading maplibre.

/** Each backdating flag's colour, on the audit map's points and in its legend alike: red is a device reported lost. */
export const FLAG_COLOURS: Record<BackdatingFlag, string> = {
  'after-revocation': '#ff3b5c',
  'before-registration': '#b070ff',
  'received-late': '#35d0f0',
};

/** The signed route's colour (layers.tsx MapRoute), for the legend beside the flagged points. */
export const ROUTE_COLOUR = '#2fbf71';
