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
};

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
