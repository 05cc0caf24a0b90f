// `GET /api/coverage`: how much of a zone's beat the squad passed in a window, and what it has not seen.
import type { CheckpointCompliance } from './compliance.js';

/** One officer's (or the whole scope's) share of the zone's cells passed in the window. */
interface CoverageShare {
  /** Zone cells passed at least once in the window. */
  passed: number;
  /** passed / cells of the zone; 0 for a zone too small to hold a cell centre. */
  ratio: number;
}

/** A cell of the zone, for the map. */
export interface CoverageCell {
  cell: string;
  /** Outline, [lon, lat] WGS-84, closed. */
  ring: Array<[number, number]>;
  /** The latest pass in the window, or null when nobody passed it. */
  lastPassedAt: string | null;
}

/** Touching cells of the zone nobody passed for more than `unseenHours` before `asOf`. */
interface UnseenArea {
  cells: string[];
  areaM2: number;
  /** The latest pass of any of its cells in the window; null when none was passed at all. */
  lastPassedAt: string | null;
}

export interface CoverageResponse {
  zoneId: string;
  /** The window read: the query's, widened to whole ten-minute buckets. */
  from: string;
  to: string;
  /** What ages are measured from: the window's end, or now when that is earlier. */
  asOf: string;
  resolution: number;
  unseenHours: number;
  /** Cells of the zone at `resolution`, and their area in m². */
  cellCount: number;
  areaM2: number;
  /** Every officer in the viewer's scope together. */
  squad: CoverageShare;
  /** Each officer in scope who passed a cell of the zone, or belongs to the zone's squad. */
  officers: Array<CoverageShare & { officerId: string; badge: string; name: string }>;
  cells: CoverageCell[];
  /** Largest first. */
  unseen: UnseenArea[];
  /** Checkpoint compliance of the zone's checkpoints over the same window (GET /api/compliance). */
  checkpoints: CheckpointCompliance[];
}
