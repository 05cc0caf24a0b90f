import { BLOB_CHUNK_BYTES, BLOB_RECEIVED_HEADER } from '../domain/protocol/blobs.js';
import type { ApiErrorBody } from '../domain/protocol/api.js';
import type { HeartbeatResponse } from '../domain/protocol/accounts.js';
import type { PullResponse, PushResponse } from '../domain/protocol/sync.js';
import { api, ApiError, OfflineError } from './api.js';
import { TransientError, type SyncTransport } from './sync-engine.js';

/** The sync transport over our HTTP API, shared by page and service worker. */
export const httpTransport: SyncTransport = {
  push: (records) => retryable(() => api<PushResponse>('/api/sync/push', { method: 'POST', body: { records }, timeoutMs: 60_000 })),
  pull: (cursor) => retryable(() => api<PullResponse>(`/api/sync/pull?cursor=${encodeURIComponent(cursor)}`)),
  register: async (registration) => {
    await retryable(() => api('/api/devices', { method: 'POST', body: registration }));
  },
  putBlob: (sha256, blob) => retryable(() => putInPieces(sha256, blob)),
  heartbeat: async (deviceId, pending) => {
    try {
      const path = `/api/devices/${encodeURIComponent(deviceId)}/heartbeat`;
      return (await retryable(() => api<HeartbeatResponse>(path, { method: 'POST', body: { pending } }))).revokedAt;
    } catch (error) {
      // A device the server does not know is not a lost one: push then says what is wrong.
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
};

const PIECE_TIMEOUT_MS = 60_000;

/**
 * Sends a blob in pieces of BLOB_CHUNK_BYTES, starting where the server's HEAD says it holds
 * (a run cut off by the network goes on where it stopped, not from the start).
 */
async function putInPieces(sha256: string, blob: Blob): Promise<void> {
  const url = `/api/blobs/${sha256}`;
  const held = await blobRequest(url, { method: 'HEAD' });
  if (held.status === 200) return;
  if (held.status !== 404) throw await failure(held);
  let start = Number(held.headers.get(BLOB_RECEIVED_HEADER) ?? 0);
  while (start < blob.size) {
    const end = Math.min(blob.size, start + BLOB_CHUNK_BYTES);
    const response = await blobRequest(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end - 1}/${blob.size}` },
      body: blob.slice(start, end),
    });
    // Out of step with what the server holds (another flusher's piece landed): HEAD again next run.
    if (response.status === 409) throw new TransientError(`blob ${sha256.slice(0, 12)} out of step: ${(await response.text()).slice(0, 200)}`);
    // Too large for the server: nothing it can take now, but the record must wait, not fail (an admin can raise BLOB_MAX_BYTES).
    if (response.status === 413) throw new TransientError(`blob ${sha256.slice(0, 12)} too large for the server`, { cause: await failure(response) });
    if (!response.ok) throw await failure(response);
    start = end;
  }
}

async function blobRequest(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: 'same-origin', signal: AbortSignal.timeout(PIECE_TIMEOUT_MS) });
  } catch (error) {
    throw new OfflineError(error);
  }
}

/** The server's refusal as an ApiError: its JSON error body (a 507 says whose storage is full), else its text. */
async function failure(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (typeof body.error === 'string' && typeof body.message === 'string') return new ApiError(response.status, body as ApiErrorBody);
  } catch {
    // Not JSON (a proxy's error page): its text is the message below.
  }
  return new ApiError(response.status, { error: 'internal', message: text.slice(0, 200) || response.statusText });
}

/** Maps what is worth retrying (no network, timeout, 5xx) to TransientError; 4xx stays final. */
async function retryable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OfflineError) throw new TransientError('offline', { cause: error });
    if (error instanceof ApiError && (error.status >= 500 || error.status === 408 || error.status === 429)) {
      throw new TransientError(`server answered ${error.status}`, { cause: error });
    }
    throw error;
  }
}
