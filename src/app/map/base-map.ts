import { addProtocol, type LayerSpecification, type StyleSpecification } from 'maplibre-gl';
import { PMTiles, Protocol, TileType } from 'pmtiles';
import * as v from 'valibot';
import type { BaseMap } from '../../domain/protocol/config.js';
import { archiveUrl } from './offline-area.js';

// Turns the deployment's base-map setting into what maplibre draws. Part of the lazy map chunk:
// the pmtiles reader and its protocol are registered only once a map is on screen.

const pmtiles = new Protocol();
addProtocol('pmtiles', pmtiles.tile);

const BACKGROUND = { id: 'background', type: 'background', paint: { 'background-color': '#0e1a28' } } as const;

/** Our plain background with no base map (the coastline and border layers go on top of it). */
export const PLAIN_STYLE: StyleSpecification = { version: 8, sources: {}, layers: [BACKGROUND] };

const VectorLayers = v.object({ vector_layers: v.array(v.object({ id: v.string() })) });

/** The layers that draw any vector archive without a style of its own: areas, lines and points in muted tones. */
function genericVectorLayers(layerIds: readonly string[]): LayerSpecification[] {
  return layerIds.flatMap((id): LayerSpecification[] => [
    {
      id: `${id}-fill`,
      type: 'fill',
      source: 'base',
      'source-layer': id,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': '#1c2d40', 'fill-outline-color': '#2e4560' },
    },
    {
      id: `${id}-line`,
      type: 'line',
      source: 'base',
      'source-layer': id,
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': '#4a6480', 'line-width': 1 },
    },
    {
      id: `${id}-point`,
      type: 'circle',
      source: 'base',
      'source-layer': id,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': '#6d86a3', 'circle-radius': 2 },
    },
  ]);
}

/**
 * The style for the configured base map: a raster template or a PMTiles archive become a style
 * of ours; a style URL is handed to maplibre as it is.
 */
export async function baseStyle(base: BaseMap): Promise<StyleSpecification | string> {
  switch (base.kind) {
    case 'none':
      return PLAIN_STYLE;
    case 'style':
      return base.url;
    case 'raster':
      return {
        version: 8,
        sources: { base: { type: 'raster', tiles: [base.tiles], tileSize: 256, maxzoom: 19 } },
        layers: [BACKGROUND, { id: 'base', type: 'raster', source: 'base' }],
      };
    case 'pmtiles': {
      const url = archiveUrl(base.url);
      const archive = new PMTiles(url);
      pmtiles.add(archive);
      const header = await archive.getHeader();
      if (header.tileType === TileType.Mvt) {
        const metadata = v.parse(VectorLayers, await archive.getMetadata());
        return {
          version: 8,
          sources: { base: { type: 'vector', url: `pmtiles://${url}` } },
          layers: [BACKGROUND, ...genericVectorLayers(metadata.vector_layers.map((l) => l.id))],
        };
      }
      return {
        version: 8,
        sources: { base: { type: 'raster', url: `pmtiles://${url}`, tileSize: 256 } },
        layers: [BACKGROUND, { id: 'base', type: 'raster', source: 'base' }],
      };
    }
  }
}
