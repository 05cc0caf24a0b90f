import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { RecordSchema } from '../../domain/records.js';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, type PushResponse } from '../../domain/protocol/sync.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { DeviceKeys } from '../sync/device-keys.js';
import { CheckPool } from '../sync/check-pool.js';
import { ingestBatch } from '../sync/ingest.js';
import { pullChanges } from '../sync/pull.js';
import { PushGate } from '../sync/push-gate.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const MAX_CURSOR = 2 ** 31 - 1;
const PushBodySchema = v.strictObject({ records: v.array(v.unknown(), 'records must be an array') }, 'body must be { records: [...] }');
/** What a push body must be: the server judges each record by RecordSchema on its own, so one bad record never fails the batch. */
const PushDocSchema = v.strictObject({ records: v.pipe(v.array(RecordSchema), v.maxLength(MAX_BATCH_RECORDS)) });
const PullQuerySchema = v.strictObject({
  // Versions are 32-bit integers on both databases; a larger cursor was never handed out.
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,10}$/, 'cursor must be a whole number'),
      v.check((c) => Number(c) <= MAX_CURSOR, `cursor must be at most ${MAX_CURSOR}`),
    ),
    '0',
  ),
});

/** Records stored at once, and waiting, per server process: two full batches keep 2 cores busy, sixteen wait. */
const PUSH_RECORDS_RUNNING = 2 * MAX_BATCH_RECORDS;
const PUSH_RECORDS_WAITING = 16 * MAX_BATCH_RECORDS;
const BUSY_RETRY_S = 2;

/** The sync protocol: push signed records, pull what the user may see. */
export function syncRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const gate = new PushGate(PUSH_RECORDS_RUNNING, PUSH_RECORDS_WAITING);
  const devices = new DeviceKeys(db);
  const policy = { allowIdNumbers: ctx.allowIdNumbers ?? false };
  return async (app: FastifyInstance) => {
    const checker = new CheckPool({
      onFailure: (error) => app.log.error({ err: error }, 'a push check worker failed: the batch was checked on the event loop'),
    });
    app.addHook('onClose', () => checker.close());
    // A push's body text goes to the check workers as it came: a string is copied whole, where
    // the parsed records would be cloned object by object on the event loop (check-pool.ts).
    const bodyTexts = new WeakMap<FastifyRequest, string>();
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
      parseJson(request, text as string, (error, body) => {
        if (!error) bodyTexts.set(request, text as string);
        done(error, body);
      });
    });
    app.post(
      '/api/sync/push',
      {
        preHandler: requireUser(ctx),
        bodyLimit: MAX_BATCH_BYTES,
        ...doc({
          summary: `Push signed records (at most ${MAX_BATCH_RECORDS}, 2 MiB): one result per record, in order: accepted, duplicate or rejected with a reason. 503 busy with Retry-After when the server sheds load`,
          body: PushDocSchema,
        }),
      },
      async (request, reply) => {
        const { records } = parseOr400(PushBodySchema, request.body);
        if (records.length > MAX_BATCH_RECORDS) {
          throw new HttpError(413, 'payload-too-large', `a batch holds at most ${MAX_BATCH_RECORDS} records; this one has ${records.length}`);
        }
        const outcome = await gate.run(records.length, () =>
          ingestBatch(ctx.database, devices, checker, sessionUser(request), { records, text: bodyTexts.get(request) }, ctx.now(), policy),
        );
        if (outcome.busy) {
          reply.header('retry-after', String(BUSY_RETRY_S));
          throw new HttpError(503, 'busy', 'the server is busy storing other batches; nothing of this one was stored, send it again shortly');
        }
        return { results: outcome.value } satisfies PushResponse;
      },
    );

    app.get(
      '/api/sync/pull',
      {
        preHandler: requireUser(ctx),
        ...doc({
          summary: 'What the user may see that changed after the cursor, and the next cursor',
          query: PullQuerySchema,
          examples: { first: { query: { cursor: '0' } } },
        }),
      },
      async (request) => {
        const { cursor } = parseOr400(PullQuerySchema, request.query);
        return pullChanges(db, sessionUser(request), Number(cursor), {
          now: ctx.now(),
          onUnreadable: (problem) => request.log.warn(problem, 'stored record failed its schema; left out'),
        });
      },
    );
  };
}
