import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publicMapSettings, readBlobLimits, readMapConfig, readWorkers } from '../../../src/server/config.js';
import { writePmtiles } from '../../support/pmtiles.js';

const dir = mkdtempSync(join(tmpdir(), 'xf-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('base-map settings', () => {
  it('default to no base map, drawn over a plain background, with the CSP left alone', () => {
    expect(readMapConfig({})).toEqual({ base: { kind: 'none' }, gcj02: false, origins: [] });
  });

  it('accept an http(s) XYZ raster template and the GCJ-02 flag', () => {
    expect(readMapConfig({ MAP_RASTER_TILES: 'https://t.example/{z}/{x}/{y}.png', MAP_GCJ02: '1' })).toEqual({
      base: { kind: 'raster', tiles: 'https://t.example/{z}/{x}/{y}.png' },
      gcj02: true,
      origins: ['https://t.example'],
    });
  });

  it('refuse a raster template without {z}/{x}/{y} or with another scheme, naming the variable', () => {
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'https://t.example/tiles.png' })).toThrow(/MAP_RASTER_TILES/);
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'ftp://t.example/{z}/{x}/{y}.png' })).toThrow(/MAP_RASTER_TILES/);
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'not a url {z}{x}{y}' })).toThrow(/MAP_RASTER_TILES/);
  });

  it('accept a style URL and the further origins its tiles, glyphs and sprites come from', () => {
    expect(readMapConfig({ MAP_STYLE_URL: 'https://styles.example/dark.json', MAP_ORIGINS: 'https://tiles.example, https://fonts.example:8443' })).toEqual({
      base: { kind: 'style', url: 'https://styles.example/dark.json' },
      gcj02: false,
      origins: ['https://styles.example', 'https://tiles.example', 'https://fonts.example:8443'],
    });
  });

  it('refuse a style URL that is not http(s), origins with a path, and origins with no style', () => {
    expect(() => readMapConfig({ MAP_STYLE_URL: 'file:///etc/style.json' })).toThrow(/MAP_STYLE_URL/);
    expect(() => readMapConfig({ MAP_STYLE_URL: 'styles/dark.json' })).toThrow(/MAP_STYLE_URL/);
    expect(() => readMapConfig({ MAP_STYLE_URL: 'https://s.example/a.json', MAP_ORIGINS: 'https://tiles.example/v1' })).toThrow(/MAP_ORIGINS/);
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'https://t.example/{z}/{x}/{y}.png', MAP_ORIGINS: 'https://x.example' })).toThrow(/MAP_ORIGINS/);
  });

  it('accept a remote PMTiles archive and admit its origin', () => {
    expect(readMapConfig({ MAP_PMTILES: 'https://cdn.example/huicheng.pmtiles' })).toEqual({
      base: { kind: 'pmtiles', url: 'https://cdn.example/huicheng.pmtiles' },
      gcj02: false,
      origins: ['https://cdn.example'],
    });
  });

  it('serve a PMTiles archive from the disk on our own origin, telling the app nothing of the path', () => {
    const file = join(dir, 'huicheng.pmtiles');
    writeFileSync(file, writePmtiles(new Map([['0/0/0', new Uint8Array([1, 2, 3])]]), [114, 23, 115, 24]));
    const config = readMapConfig({ MAP_PMTILES: file });
    expect(config).toEqual({ base: { kind: 'pmtiles', url: '/map/huicheng.pmtiles' }, gcj02: false, origins: [], pmtilesFile: file });
    expect(publicMapSettings(config)).toEqual({ base: { kind: 'pmtiles', url: '/map/huicheng.pmtiles' }, gcj02: false });
  });

  it('refuse a PMTiles file that is missing, not an archive, or badly named, naming the variable', () => {
    expect(() => readMapConfig({ MAP_PMTILES: join(dir, 'missing.pmtiles') })).toThrow(/MAP_PMTILES: cannot read/);
    writeFileSync(join(dir, 'v2.pmtiles'), Buffer.from([...Buffer.from('PMTiles'), 2]));
    expect(() => readMapConfig({ MAP_PMTILES: join(dir, 'v2.pmtiles') })).toThrow(/MAP_PMTILES: .* is not a PMTiles v3 archive/);
    writeFileSync(join(dir, 'tiles.mbtiles'), 'SQLite format 3');
    expect(() => readMapConfig({ MAP_PMTILES: join(dir, 'tiles.mbtiles') })).toThrow(/MAP_PMTILES: a file name/);
    expect(() => readMapConfig({ MAP_PMTILES: 'ftp://cdn.example/a.pmtiles' })).toThrow(/MAP_PMTILES/);
  });

  it('allow at most one base map, naming the variables that clash', () => {
    expect(() => readMapConfig({ MAP_RASTER_TILES: 'https://t.example/{z}/{x}/{y}.png', MAP_PMTILES: 'https://cdn.example/a.pmtiles' })).toThrow(
      /MAP_RASTER_TILES and MAP_PMTILES/,
    );
    expect(() => readMapConfig({ MAP_STYLE_URL: 'https://s.example/a.json', MAP_PMTILES: 'https://cdn.example/a.pmtiles' })).toThrow(
      /MAP_STYLE_URL and MAP_PMTILES/,
    );
  });

  it('take MAP_GCJ02 as 1 or 0 only', () => {
    expect(readMapConfig({ MAP_GCJ02: '0' }).gcj02).toBe(false);
    expect(() => readMapConfig({ MAP_GCJ02: 'yes' })).toThrow(/MAP_GCJ02/);
  });
});

describe('blob limits', () => {
  it('default to 15 MiB a blob, 20 GiB a unit and 2 GiB an officer in 30 days', () => {
    expect(readBlobLimits({})).toEqual({ maxBytes: 15 * 1024 ** 2, unitBytes: 20 * 1024 ** 3, officerBytes: 2 * 1024 ** 3 });
  });

  it('read whole bytes or K, M and G sizes', () => {
    expect(readBlobLimits({ BLOB_MAX_BYTES: '500000', BLOB_UNIT_QUOTA_BYTES: '100G', BLOB_OFFICER_QUOTA_BYTES: '512m' })).toEqual({
      maxBytes: 500_000,
      unitBytes: 100 * 1024 ** 3,
      officerBytes: 512 * 1024 ** 2,
    });
  });

  it('refuse sizes that are not sizes, zero, or a blob larger than a record may name, naming the variable', () => {
    expect(() => readBlobLimits({ BLOB_UNIT_QUOTA_BYTES: '20 GB' })).toThrow(/BLOB_UNIT_QUOTA_BYTES/);
    expect(() => readBlobLimits({ BLOB_OFFICER_QUOTA_BYTES: '0' })).toThrow(/BLOB_OFFICER_QUOTA_BYTES/);
    expect(() => readBlobLimits({ BLOB_MAX_BYTES: '1G' })).toThrow(/BLOB_MAX_BYTES/);
  });
});

describe('WORKERS', () => {
  const pg = 'postgres://postgres@127.0.0.1:5432/xunfang';

  it('defaults to one process, on either database', () => {
    expect(readWorkers({}, undefined)).toBe(1);
    expect(readWorkers({ WORKERS: '1' }, undefined)).toBe(1);
    expect(readWorkers({ WORKERS: '' }, pg)).toBe(1);
  });

  it('takes several processes on PostgreSQL', () => {
    expect(readWorkers({ WORKERS: '2' }, pg)).toBe(2);
    expect(readWorkers({ WORKERS: '64' }, 'postgresql://db/x')).toBe(64);
  });

  it('refuses several processes on SQLite, saying why and what to do', () => {
    expect(() => readWorkers({ WORKERS: '2' }, undefined)).toThrow(/WORKERS=2 needs PostgreSQL.*Use WORKERS=1 with SQLite/);
    expect(() => readWorkers({ WORKERS: '2' }, 'file:data.sqlite')).toThrow(/needs PostgreSQL/);
  });

  it('refuses zero, too many and anything not a whole number, naming the variable', () => {
    for (const value of ['0', '65', 'abc', '1.5', '-1', ' 2', '2x', '007'])
      expect(() => readWorkers({ WORKERS: value }, pg), value).toThrow(/^WORKERS must be a whole number 1–64/);
  });
});
