import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { LIVE_RESYNC } from '../../domain/protocol/live.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { findSessionUser, SESSION_COOKIE } from '../auth/sessions.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { LiveHub } from '../live/hub.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const MAX_EVENT_ID = 2 ** 31 - 1;
/** EventSource sends Last-Event-ID itself on a reconnect; a page that starts anew passes `after`. */
const LiveQuerySchema = v.strictObject({ after: v.optional(v.string()) });

function eventId(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_EVENT_ID) throw new HttpError(400, 'bad-request', `a live event id is a whole number up to ${MAX_EVENT_ID}`);
  return Number(raw);
}

/**
 * `GET /api/live`: server-sent events of what the user may see. A comment every heartbeat keeps
 * proxies from closing the stream and re-checks the session, so a sign-out anywhere (any server
 * process) ends it.
 */
export function liveRoutes(ctx: ServerContext, hub: LiveHub, heartbeatMs: number) {
  return async (app: FastifyInstance) => {
    app.get(
      '/api/live',
      {
        preHandler: requireUser(ctx),
        ...doc({
          summary: 'Server-sent events of what the user may see (tasks, lockdowns, positions, SOS), each with an id; resumes after Last-Event-ID or `after`',
          query: LiveQuerySchema,
          responseType: 'text/event-stream',
        }),
      },
      async (request, reply) => {
        const { after } = parseOr400(LiveQuerySchema, request.query);
        const header = request.headers['last-event-id'];
        const lastEventId = eventId(typeof header === 'string' && header !== '' ? header : after);
        const user = sessionUser(request);
        const token = request.cookies[SESSION_COOKIE] ?? '';

        reply.hijack();
        const res = reply.raw;
        // The security headers (CSP and the rest) were set on the reply by helmet; carry them over.
        for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value as string | string[]);
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          // nginx and similar proxies would otherwise hold events back in their buffers.
          'x-accel-buffering': 'no',
        });
        res.write('retry: 3000\n\n');
        let open = true;
        const write = (chunk: string) => open && res.write(chunk);
        const detach = await hub.attach(user, lastEventId, {
          event: (id, message) => write(`id: ${id}\nevent: ${message.kind}\ndata: ${JSON.stringify({ at: message.at, ...message.data })}\n\n`),
          resync: () => write(`event: ${LIVE_RESYNC}\ndata: {}\n\n`),
          end: () => end(),
        });
        const heartbeat = setInterval(() => {
          findSessionUser(ctx.database.db, token, ctx.now())
            .then((still) => (still ? write(': heartbeat\n\n') : end()))
            .catch(() => write(': heartbeat\n\n'));
        }, heartbeatMs);
        const end = () => {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          detach();
          res.end();
        };
        request.raw.on('close', end);
        res.on('error', end);
      },
    );
  };
}
