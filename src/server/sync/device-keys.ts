import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.js';
import { nodePublicKey } from './seal-verifier.js';

export interface DeviceInfo {
  id: string;
  officerId: string;
  key: KeyObject;
}

/**
 * Registered devices with their imported public keys. A device's key never changes once
 * registered, so caching it in memory is safe across processes: no other process can make it stale.
 */
export class DeviceKeys {
  private readonly cache = new Map<string, DeviceInfo>();
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly limit = 10_000,
  ) {}

  /** The devices among `ids` that are registered; unknown ids are simply absent. */
  async lookup(ids: Iterable<string>): Promise<Map<string, DeviceInfo>> {
    const found = new Map<string, DeviceInfo>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows = await this.db.selectFrom('devices').select(['id', 'officer_id', 'public_key_jwk']).where('id', 'in', missing).execute();
      for (const row of rows) {
        const info = { id: row.id, officerId: row.officer_id, key: nodePublicKey(JSON.parse(row.public_key_jwk) as JsonWebKey) };
        if (this.cache.size >= this.limit) this.cache.clear();
        this.cache.set(row.id, info);
        found.set(row.id, info);
      }
    }
    return found;
  }
}
