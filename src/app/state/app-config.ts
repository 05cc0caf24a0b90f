import * as v from 'valibot';
import { BoundarySchema } from '../../domain/checkpoints.js';
import type { AppConfigResponse } from '../../domain/protocol/config.js';
import { api, OfflineError } from '../../store/api.js';
import { META } from '../../store/schema.js';
import { deviceDb } from './db.js';

const KEY = 'app-config';
const BaseMapSchema = v.variant('kind', [
  v.object({ kind: v.literal('none') }),
  v.object({ kind: v.literal('raster'), tiles: v.string() }),
  v.object({ kind: v.literal('style'), url: v.string() }),
  v.object({ kind: v.literal('pmtiles'), url: v.string() }),
]);
// Boundaries only decorate the map: a copy kept before they were sent, or with a bad one, still gives the base map.
const ConfigSchema = v.object({
  map: v.object({ base: BaseMapSchema, gcj02: v.boolean() }),
  boundaries: v.fallback(v.array(BoundarySchema), []),
});
const NONE: AppConfigResponse = { map: { base: { kind: 'none' }, gcj02: false }, boundaries: [] };

/** The deployment's settings: from the server when reachable (and kept), else the last kept copy. */
export async function loadAppConfig(): Promise<AppConfigResponse> {
  const db = await deviceDb;
  try {
    const config = await api<AppConfigResponse>('/api/config');
    await db.put(META, { key: KEY, value: JSON.stringify(config) });
    return config;
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    const kept = await db.get(META, KEY);
    const parsed = kept?.value ? v.safeParse(ConfigSchema, JSON.parse(kept.value)) : null;
    return parsed?.success ? parsed.output : NONE;
  }
}
