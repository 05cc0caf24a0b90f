// `GET /api/live`: server-sent events of what the signed-in user may see, as it happens.
// Pull stays the source of truth; an event only says "something you can see changed, now".

/**
 * `changes`: pull has something new; `shift`: an officer started or ended a shift, or a loss at
 * its end was resolved (data `{ officerId, shiftId }`); `task`: a task was made or changed (data `{ taskId }`);
 * `position`: an officer's newest fix or tracking state (data: protocol/squad.ts OfficerLive);
 * `sos`: an alert raised, cancelled or acknowledged (data: protocol/squad.ts SosAlert). For the
 * last two the event id is the state's version.
 */
export type LiveEventKind = 'changes' | 'shift' | 'task' | 'position' | 'sos';

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
