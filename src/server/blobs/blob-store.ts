import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

// Where photo bytes live (issue 15). Content-addressed: a blob's name is the SHA-256 of its
// bytes, so the same bytes twice are one file, and what is stored never changes. The database
// keeps who uploaded what and which incident names it (the blobs and incident_photos tables);
// this interface holds only bytes, so an S3-compatible store can replace the folder.

/** The bytes of verified blobs, by their lower-case hex SHA-256. */
export interface BlobStore {
  /** Keeps `bytes` under `sha256`. The caller has verified the hash; a second put of a held blob changes nothing. */
  put(sha256: string, bytes: Buffer): Promise<void>;
  /** The blob's bytes as a stream, or null when it is not held. */
  get(sha256: string): Promise<Readable | null>;
  has(sha256: string): Promise<boolean>;
  /** Its length in bytes, or null when it is not held. */
  size(sha256: string): Promise<number | null>;
}

/** Lower-case hex SHA-256, the only names a blob store knows. */
export const SHA256_RE = /^[0-9a-f]{64}$/;

/** The SHA-256 of some bytes, as blobs are named. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The default store: one file per blob in a folder (DATA_DIR/blobs), fanned out by the first two hex digits. */
export class FolderBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new Error(`not a blob name: ${sha256.slice(0, 80)}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    if (await this.has(sha256)) return;
    const path = this.path(sha256);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    // Written beside, then renamed: a reader (or a crash) never sees half a blob under its name.
    const partial = `${path}.${process.pid}.${Date.now()}.part`;
    await writeFile(partial, bytes, { flush: true });
    await rename(partial, path);
  }

  async get(sha256: string): Promise<Readable | null> {
    return (await this.has(sha256)) ? createReadStream(this.path(sha256)) : null;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== null;
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.path(sha256))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
