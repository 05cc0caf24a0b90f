import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  demoPassword: string | undefined;
  tls: { cert: Buffer; key: Buffer } | undefined;
  map: MapConfig;
}

/** The base map the app draws under its layers; none means a plain background. */
export interface MapConfig {
  /** XYZ raster tile template, e.g. https://tiles.example.org/{z}/{x}/{y}.png */
  rasterTiles: string | null;
  /** The tiles are published in GCJ-02 (as Chinese providers do): layers are shifted to match. */
  gcj02: boolean;
}

/** Reads and checks the base-map settings (MAP_RASTER_TILES, MAP_GCJ02). */
export function readMapConfig(env: NodeJS.ProcessEnv): MapConfig {
  const template = env.MAP_RASTER_TILES || null;
  if (template) {
    let url: URL;
    try {
      url = new URL(template.replace(/\{[xyz]\}/g, '0'));
    } catch {
      throw new Error(`MAP_RASTER_TILES must be an http(s) URL template, got "${template}"`);
    }
    if (!/^https?:$/.test(url.protocol) || !/\{z\}/.test(template) || !/\{x\}/.test(template) || !/\{y\}/.test(template)) {
      throw new Error(`MAP_RASTER_TILES must be an http(s) URL with {z}, {x} and {y}, got "${template}"`);
    }
  }
  return { rasterTiles: template, gcj02: env.MAP_GCJ02 === '1' };
}

/** Reads the server's settings from the environment; a bad value stops the start with its name. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0–65535, got "${env.PORT}"`);
  if (!!env.TLS_CERT !== !!env.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY must be set together');
  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) } : undefined;
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    demoPassword: env.DEMO_PASSWORD || undefined,
    tls,
    map: readMapConfig(env),
  };
}
