import { describe, expect, it } from 'vitest';
import { readMapConfig } from '../../../src/server/config.js';

describe('base-map settings', () => {
  it('default to no base map, drawn over a plain background', () => {
    expect(readMapConfig({})).toEqual({ rasterTiles: null, gcj02: false });
  });

  it('accept an http(s) XYZ template and the GCJ-02 flag', () => {
    expect(readMapConfig({ MAP_RASTER_TILES: 'https://t.example/{z}/{x}/{y}.png', MAP_GCJ02: '1' })).toEqual({ rasterTiles: 'https://t.example/{z}/{x}/{y}.png', gcj02: true });
  });

  it('refuse a template without {z}/{x}/{y} or with another scheme, naming the variable', () => {
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'https://t.example/tiles.png' })).toThrow(/MAP_RASTER_TILES/);
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'ftp://t.example/{z}/{x}/{y}.png' })).toThrow(/MAP_RASTER_TILES/);
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'not a url {z}{x}{y}' })).toThrow(/MAP_RASTER_TILES/);
  });
});
