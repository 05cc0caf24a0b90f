import type { ApiErrorBody } from '../domain/protocol/api.js';

/** The server answered with a 4xx/5xx; `body` is its JSON error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

/** The request never reached the server (no network, server down, or timed out). */
export class OfflineError extends Error {
  constructor(cause: unknown) {
    super('offline', { cause });
  }
}

const TIMEOUT_MS = 15_000;

/** One helper for every JSON call to our API: same origin, cookie session, typed errors. */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal; timeoutMs?: number; text?: { type: string; content: string } } = {},
): Promise<T> {
  const signals = [AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS), ...(init.signal ? [init.signal] : [])];
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      // `text`: a body that is not JSON (a roster CSV), sent as it is.
      headers: init.text ? { 'content-type': init.text.type } : init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.text ? init.text.content : init.body === undefined ? null : JSON.stringify(init.body),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new OfflineError(error);
  }
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : null;
  if (!response.ok) {
    const body = isErrorBody(json) ? json : { error: 'internal' as const, message: text.slice(0, 200) || response.statusText };
    throw new ApiError(response.status, body);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page, say): the caller gets the text in the ApiError instead.
    return null;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).error === 'string';
}
