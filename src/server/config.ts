import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { DEFAULT_COVERAGE_RESOLUTION } from '../domain/coverage.js';
import { MAX_PHOTO_BYTES } from '../domain/incidents.js';
import { DEFAULT_BLOB_LIMITS, type BlobLimits } from './blobs/uploads.js';
import type { MapSettings } from '../domain/protocol/config.js';
import { basename, resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  demoPassword: string | undefined;
  tls: { cert: Buffer; key: Buffer } | undefined;
  map: MapConfig;
  /** H3 resolution of beat coverage cells (COVERAGE_H3_RESOLUTION, default 10). */
  coverageResolution: number;
  /** BLOB_MAX_BYTES, BLOB_UNIT_QUOTA_BYTES, BLOB_OFFICER_QUOTA_BYTES (defaults: 15 MiB, 20 GiB, 2 GiB per 30 days). */
  blobLimits: BlobLimits;
  /** INCIDENT_ID_NUMBERS=1: incident reports may carry people's identity numbers (default off: refused at ingest). */
  allowIdNumbers: boolean;
  /** WORKERS: server processes sharing the port (node:cluster); above 1 only on PostgreSQL. */
  workers: number;
}

/** The base-map settings: what the app is told, plus what only the server needs. */
export interface MapConfig extends MapSettings {
  /** A PMTiles archive on this server's disk, served at `base.url` with Range support. */
  pmtilesFile?: string;
  /** Every origin the base map loads from: the CSP admits exactly these for images and fetches. */
  origins: string[];
}

/** Where the server publishes a PMTiles archive from its own disk, under its own file name. */
export const PMTILES_PREFIX = '/map/';

const httpUrl = (name: string, value: string, what: string): URL => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be ${what}, got "${value}"`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new Error(`${name} must be ${what}, got "${value}"`);
  return url;
};

function rasterTemplate(template: string): string {
  const what = 'an http(s) URL template with {z}, {x} and {y}';
  httpUrl('MAP_RASTER_TILES', template.replace(/\{[xyz]\}/g, '0'), what);
  if (!/\{z\}/.test(template) || !/\{x\}/.test(template) || !/\{y\}/.test(template)) throw new Error(`MAP_RASTER_TILES must be ${what}, got "${template}"`);
  return template;
}

/** An archive URL is taken as it is; anything else must be a PMTiles v3 file on this disk. */
function pmtilesSource(value: string): { url: string; file?: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { url: httpUrl('MAP_PMTILES', value, 'an http(s) URL or the path of a .pmtiles file').href };
  const file = resolve(value);
  // The service worker knows an archive by this ending (it answers its Range requests offline).
  if (!/^[\w.-]+\.pmtiles$/.test(basename(file)))
    throw new Error(`MAP_PMTILES: a file name of letters, digits, "._-" ending in .pmtiles, got "${basename(file)}"`);
  let magic: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      magic = Buffer.alloc(8);
      readSync(fd, magic, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new Error(`MAP_PMTILES: cannot read "${file}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // A PMTiles v3 archive starts with the bytes "PMTiles" and the version 3 (spec §3.1).
  if (magic.subarray(0, 7).toString('latin1') !== 'PMTiles' || magic[7] !== 3) throw new Error(`MAP_PMTILES: "${file}" is not a PMTiles v3 archive`);
  return { url: PMTILES_PREFIX + basename(file), file };
}

/** MAP_ORIGINS: further origins a style's tiles, glyphs and sprites come from (comma-separated). */
function extraOrigins(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(',').map((part) => {
    const url = httpUrl('MAP_ORIGINS', part.trim(), 'comma-separated http(s) origins');
    if (url.origin !== part.trim().replace(/\/$/, '')) throw new Error(`MAP_ORIGINS must list bare origins (scheme, host, port), got "${part.trim()}"`);
    return url.origin;
  });
}

/**
 * Reads and checks the base-map settings: at most one of MAP_RASTER_TILES, MAP_STYLE_URL and
 * MAP_PMTILES, MAP_ORIGINS with a style, MAP_GCJ02 0 or 1. A bad value throws, naming the variable.
 */
export function readMapConfig(env: NodeJS.ProcessEnv): MapConfig {
  const set = (['MAP_RASTER_TILES', 'MAP_STYLE_URL', 'MAP_PMTILES'] as const).filter((name) => env[name]);
  if (set.length > 1) throw new Error(`${set.join(' and ')} are alternatives: set at most one base map`);
  const gcj = env.MAP_GCJ02 ?? '';
  if (!['', '0', '1'].includes(gcj)) throw new Error(`MAP_GCJ02 must be 1 or 0, got "${gcj}"`);
  if (env.MAP_ORIGINS && !env.MAP_STYLE_URL) throw new Error('MAP_ORIGINS only applies to MAP_STYLE_URL, which is not set');

  const gcj02 = gcj === '1';
  if (env.MAP_RASTER_TILES) {
    const tiles = rasterTemplate(env.MAP_RASTER_TILES);
    return { base: { kind: 'raster', tiles }, gcj02, origins: [new URL(tiles.replace(/\{[xyz]\}/g, '0')).origin] };
  }
  if (env.MAP_STYLE_URL) {
    const url = httpUrl('MAP_STYLE_URL', env.MAP_STYLE_URL, 'an http(s) URL of a MapLibre style JSON');
    return { base: { kind: 'style', url: url.href }, gcj02, origins: [...new Set([url.origin, ...extraOrigins(env.MAP_ORIGINS)])] };
  }
  if (env.MAP_PMTILES) {
    const { url, file } = pmtilesSource(env.MAP_PMTILES);
    // Served by ourselves: 'self' already covers it, so the CSP stays as strict as with no base map.
    return { base: { kind: 'pmtiles', url }, gcj02, origins: file ? [] : [new URL(url).origin], ...(file ? { pmtilesFile: file } : {}) };
  }
  return { base: { kind: 'none' }, gcj02, origins: [] };
}

/** What `GET /api/config` tells the app about the map (nothing of the server's own disk). */
export function publicMapSettings(map: MapConfig): MapSettings {
  return { base: map.base, gcj02: map.gcj02 };
}

/** True when a DATABASE_URL names PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** Where the database is (DATA_DIR for SQLite, or DATABASE_URL): all a maintenance command needs. */
export function readDatabaseConfig(env: NodeJS.ProcessEnv): Pick<Config, 'dataDir' | 'databaseUrl'> {
  return { dataDir: resolve(env.DATA_DIR ?? 'data'), databaseUrl: env.DATABASE_URL || undefined };
}

/**
 * COVERAGE_H3_RESOLUTION: 7 (cells ~5 km²) to 12 (~300 m²). WARNING: every process on one
 * database must agree, and a change needs `npm run rebuild-derived`.
 */
export function readCoverageResolution(env: NodeJS.ProcessEnv): number {
  const value = env.COVERAGE_H3_RESOLUTION ?? '';
  if (value === '') return DEFAULT_COVERAGE_RESOLUTION;
  if (!/^\d{1,2}$/.test(value) || Number(value) < 7 || Number(value) > 12)
    throw new Error(`COVERAGE_H3_RESOLUTION must be a whole number 7–12, got "${value}"`);
  return Number(value);
}

/** A size in bytes as the environment gives it: a whole number, optionally with K, M or G (powers of 1024). */
function readBytes(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = (env[name] ?? '').trim();
  if (value === '') return fallback;
  const match = /^(\d{1,15})([KMG]?)$/i.exec(value);
  const bytes = match ? Number(match[1]) * 1024 ** ' KMG'.indexOf((match[2] || ' ').toUpperCase()) : NaN;
  if (!match || !(bytes >= 1) || bytes > max) throw new Error(`${name} must be a size in bytes (e.g. 15M, 20G) from 1 to ${max}, got "${value}"`);
  return bytes;
}

/** The blob size limit and quotas; a blob may never be larger than a record may name. */
export function readBlobLimits(env: NodeJS.ProcessEnv): BlobLimits {
  return {
    maxBytes: readBytes(env, 'BLOB_MAX_BYTES', DEFAULT_BLOB_LIMITS.maxBytes, MAX_PHOTO_BYTES),
    unitBytes: readBytes(env, 'BLOB_UNIT_QUOTA_BYTES', DEFAULT_BLOB_LIMITS.unitBytes),
    officerBytes: readBytes(env, 'BLOB_OFFICER_QUOTA_BYTES', DEFAULT_BLOB_LIMITS.officerBytes),
  };
}

/** More processes than this on one host only fight over its cores and the database's connections. */
const MAX_WORKERS = 64;

/**
 * WORKERS: how many server processes answer on the one port (default 1). Several need
 * PostgreSQL: SQLite is one file with one writer, and its live updates fan out in-process only.
 */
export function readWorkers(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): number {
  const value = env.WORKERS ?? '';
  if (value === '') return 1;
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS)
    throw new Error(`WORKERS must be a whole number 1–${MAX_WORKERS}, got "${value}"`);
  const workers = Number(value);
  if (workers > 1 && !isPostgresUrl(databaseUrl))
    throw new Error(
      `WORKERS=${workers} needs PostgreSQL (DATABASE_URL=postgres://…): SQLite is one file with one writer, and its live updates reach only its own process. Use WORKERS=1 with SQLite.`,
    );
  return workers;
}

/** Reads the server's settings from the environment; a bad value stops the start with its name. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0–65535, got "${env.PORT}"`);
  if (!!env.TLS_CERT !== !!env.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY must be set together');
  const idNumbers = env.INCIDENT_ID_NUMBERS ?? '';
  if (!['', '0', '1'].includes(idNumbers)) throw new Error(`INCIDENT_ID_NUMBERS must be 1 or 0, got "${idNumbers}"`);
  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) } : undefined;
  const database = readDatabaseConfig(env);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    ...database,
    demoPassword: env.DEMO_PASSWORD || undefined,
    tls,
    map: readMapConfig(env),
    coverageResolution: readCoverageResolution(env),
    blobLimits: readBlobLimits(env),
    allowIdNumbers: idNumbers === '1',
    workers: readWorkers(env, database.databaseUrl),
  };
}
