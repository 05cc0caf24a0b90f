// `GET /api/config`: what the app needs to know about this deployment.

import type { Boundary } from '../checkpoints.js';

/** The base map a deployment draws under the app's layers: at most one kind, or none. */
export type BaseMap =
  | { kind: 'none' }
  /** An XYZ raster template, e.g. https://tiles.example.org/{z}/{x}/{y}.png */
  | { kind: 'raster'; tiles: string }
  /** A MapLibre style JSON; its sources may use pmtiles:// URLs too. */
  | { kind: 'style'; url: string }
  /** A PMTiles archive (absolute URL, or a path on our own origin when the server hosts it). */
  | { kind: 'pmtiles'; url: string };

/** The map settings the app receives. */
export interface MapSettings {
  base: BaseMap;
  /** The base map is published in GCJ-02 (as Chinese providers do): layers are shifted to match. */
  gcj02: boolean;
}

/** `GET /api/config`: what the app needs to know about this deployment and the user's unit. */
export interface AppConfigResponse {
  map: MapSettings;
  /** The signed-in user's unit's boundaries, largest first. */
  boundaries: Boundary[];
}
