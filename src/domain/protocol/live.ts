// `GET /api/live`: server-sent events of what the signed-in user may see, as it happens.
// Pull stays the source of truth; an event only says "something you can see changed, now".

/**
 * `changes`: pull has something new; `shift`: an officer started or ended a shift (data
 * `{ officerId, shiftId }`); `task`: a task was made or changed (data `{ taskId }`).
 * Lockdowns, positions and SOS join this list with their features.
 */
export type LiveEventKind = 'changes' | 'shift' | 'task';

/** The SSE `event:` field of one message; `data:` is its JSON. */
export interface LiveMessage {
  kind: LiveEventKind;
  at: string;
  data: Record<string, unknown>;
}

/**
 * Sent instead of a replay when a reconnect's Last-Event-ID is older than what the server still
 * keeps (about an hour): the client must pull to catch up.
 */
export const LIVE_RESYNC = 'resync';

/** How long the server keeps events for a reconnect to resume from. */
export const LIVE_RETENTION_MS = 60 * 60 * 1000;
