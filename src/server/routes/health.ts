import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { HealthResponse } from '../../domain/protocol/api.js';
import type { ServerContext } from '../context.js';
import { sqliteHandle } from '../db/dialect.js';
import { doc } from '../openapi.js';

/** `GET /api/health`: up, which database, which version; 503 when the database does not answer. */
export function healthRoutes(ctx: ServerContext) {
  // On SQLite straight on the handle: through Kysely it would wait for the one connection behind
  // whole push transactions. A constant select touches no table, so it cannot land inside
  // another's transaction in any way that matters, and it still proves the file open and answering.
  const handle = sqliteHandle(ctx.database.db);
  const probe = handle?.prepare('select 1');
  return async (app: FastifyInstance) => {
    app.get('/api/health', doc({ summary: 'Whether the server and its database answer: { ok, db, version }' }), async (request, reply) => {
      try {
        if (probe) probe.get();
        else await sql`select 1`.execute(ctx.database.db);
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ ok: false, db: ctx.database.kind, version: ctx.version });
      }
      return { ok: true, db: ctx.database.kind, version: ctx.version } satisfies HealthResponse;
    });
  };
}
