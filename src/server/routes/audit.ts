import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditQuerySchema, auditOutcome, type AuditEventView, type AuditResponse } from '../../domain/protocol/accounts.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const COLUMNS = ['at', 'kind', 'outcome', 'badge', 'name', 'deviceId', 'ip', 'detail'] as const;

/**
 * The unit's audit log for its admin (issue 16): sign-ins, failures, lockouts, device revocations,
 * admin changes, route audit views; filtered by time, kind and badge, as JSON or CSV. Reading it
 * is itself logged. Events of people outside any unit (an unknown badge's failed sign-in) are
 * shown to every admin: whose they were cannot be known.
 */
export function auditRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const adminOnly = { preHandler: requireUser(ctx, ['admin']) };

  async function read(request: FastifyRequest, admin: SessionUser): Promise<AuditEventView[]> {
    const query = parseOr400(AuditQuerySchema, request.query);
    if (query.from && query.to && query.from > query.to) throw new HttpError(400, 'bad-request', 'from must not be after to');
    const rows = await db
      .selectFrom('audit_events')
      .leftJoin('users', 'users.id', 'audit_events.user_id')
      .select([
        'audit_events.id',
        'audit_events.at',
        'audit_events.kind',
        'audit_events.user_id',
        'audit_events.badge',
        'audit_events.device_id',
        'audit_events.ip',
        'audit_events.detail',
        'users.name',
        'users.unit_id',
      ])
      .where((eb) => eb.or([eb('users.unit_id', '=', admin.unitId), eb('audit_events.user_id', 'is', null)]))
      .$if(query.from !== undefined, (q) => q.where('audit_events.at', '>=', new Date(query.from ?? '').toISOString()))
      .$if(query.to !== undefined, (q) => q.where('audit_events.at', '<=', new Date(query.to ?? '').toISOString()))
      .$if(query.kind !== undefined, (q) => q.where('audit_events.kind', '=', query.kind ?? 'login'))
      .$if(query.badge !== undefined && query.badge !== '', (q) => q.where('audit_events.badge', '=', query.badge ?? ''))
      .orderBy('audit_events.at', 'desc')
      .orderBy('audit_events.id', 'desc')
      .limit(Number(query.limit))
      .execute();
    await appendAuditEvent(db, ctx.now(), 'audit-log-view', { userId: admin.id, badge: admin.badge, ip: request.ip, detail: JSON.stringify(query) });
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      outcome: auditOutcome(r.kind),
      userId: r.user_id,
      badge: r.badge,
      name: r.name,
      deviceId: r.device_id,
      ip: r.ip,
      detail: r.detail,
    }));
  }

  return async (app: FastifyInstance) => {
    app.get(
      '/api/admin/audit',
      { ...adminOnly, ...doc({ summary: "The unit's append-only audit log, newest first, filtered by event, badge and dates", query: AuditQuerySchema }) },
      async (request): Promise<AuditResponse> => ({ events: await read(request, sessionUser(request)) }),
    );

    app.get(
      '/api/admin/audit.csv',
      { ...adminOnly, ...doc({ summary: 'The same log as CSV', query: AuditQuerySchema, responseType: 'text/csv' }) },
      async (request, reply) => {
        const events = await read(request, sessionUser(request));
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="audit-${ctx.now().toISOString().slice(0, 10)}.csv"`);
        // A BOM so spreadsheet programs read the Chinese names as UTF-8.
        return '\uFEFF' + [COLUMNS.join(','), ...events.map((e) => COLUMNS.map((c) => csvField(e[c])).join(','))].join('\r\n') + '\r\n';
      },
    );
  };
}

/** One CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
