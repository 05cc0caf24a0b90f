import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { HealthResponse } from '../../domain/protocol/api.js';
import type { ServerContext } from '../context.js';
import { doc } from '../openapi.js';

/** `GET /api/health`: up, which database, which version; 503 when the database does not answer. */
export function healthRoutes(ctx: ServerContext) {
  return async (app: FastifyInstance) => {
    app.get('/api/health', doc({ summary: 'Whether the server and its database answer: { ok, db, version }' }), async (request, reply) => {
      try {
        await sql`select 1`.execute(ctx.database.db);
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ ok: false, db: ctx.database.kind, version: ctx.version });
      }
      return { ok: true, db: ctx.database.kind, version: ctx.version } satisfies HealthResponse;
    });
  };
}
