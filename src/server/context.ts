import type { BlobStore } from './blobs/blob-store.js';
import type { MapConfig } from './config.js';
import type { Database } from './db/index.js';

/** What every route needs, injected so tests can swap the clock and the database. */
export interface ServerContext {
  database: Database;
  now: () => Date;
  version: string;
  /** Cookies get `Secure` when the server itself speaks TLS. */
  tls: boolean;
  /** The base map; absent means a plain background. */
  map?: MapConfig;
  /** Where photos' bytes are kept (a folder under DATA_DIR by default). */
  blobs: BlobStore;
  /** Units whose admin has not chosen record people's identity numbers in incidents (INCIDENT_ID_NUMBERS=1); off by default. */
  allowIdNumbers?: boolean;
}
