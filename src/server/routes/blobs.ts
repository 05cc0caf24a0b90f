import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { BLOB_RECEIVED_HEADER } from '../../domain/protocol/blobs.js';
import { MAX_PHOTO_BYTES, PHOTO_TYPES } from '../../domain/incidents.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { SHA256_RE } from '../blobs/blob-store.js';
import { DEFAULT_BLOB_LIMITS, mayFetch, receivedBytes, receivePiece, type Piece } from '../blobs/uploads.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { UnreadableSink } from '../records/reader.js';
import { doc } from '../openapi.js';
import { parseOr400 } from '../validate.js';

/** Bodies a PUT may carry: the photo types records name, or plain bytes. */
const BLOB_CONTENT_TYPES = ['application/octet-stream', ...PHOTO_TYPES];
/** `Content-Range: bytes START-END/TOTAL` (END inclusive, RFC 9110 §14.4). */
const CONTENT_RANGE_RE = /^bytes (\d{1,10})-(\d{1,10})\/(\d{1,10})$/;

const BlobParams = v.strictObject({ sha256: v.pipe(v.string(), v.regex(SHA256_RE, 'a blob is named by 64 lower-case hex digits (its SHA-256)')) });

function blobName(params: unknown): string {
  return parseOr400(BlobParams, params).sha256;
}

function pieceOf(bytes: Buffer, header: string | undefined): Piece {
  if (header === undefined) return { bytes };
  const match = CONTENT_RANGE_RE.exec(header);
  if (!match) throw new HttpError(400, 'bad-request', 'Content-Range must be "bytes START-END/TOTAL"');
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (end < start || end >= total) throw new HttpError(400, 'bad-request', 'Content-Range must have START ≤ END < TOTAL');
  if (end - start + 1 !== bytes.length) throw new HttpError(400, 'bad-request', `Content-Range says ${end - start + 1} bytes; the body has ${bytes.length}`);
  return { bytes, range: { start, total } };
}

/** Photos and other blobs: uploaded before the records that name them, fetched by who may see those records. */
export function blobRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  const store = ctx.blobs;
  const limits = ctx.blobLimits ?? DEFAULT_BLOB_LIMITS;
  return async (app: FastifyInstance) => {
    app.addContentTypeParser(BLOB_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_request, body, done) => done(null, body));

    const putDoc = doc({
      summary:
        'Upload a photo (or a piece of one, with Content-Range) under its SHA-256; idempotent. 201 when whole, 202 for a piece; 413 past the size limit, 507 past a storage quota',
      params: BlobParams,
      bodyTypes: BLOB_CONTENT_TYPES,
      status: 201,
    });
    app.put('/api/blobs/:sha256', { preHandler: requireUser(ctx), bodyLimit: MAX_PHOTO_BYTES, ...putDoc }, async (request, reply) => {
      const sha256 = blobName(request.params);
      if (!Buffer.isBuffer(request.body)) throw new HttpError(415, 'unsupported-media-type', `send the bytes as ${BLOB_CONTENT_TYPES.join(', ')}`);
      const range = request.headers['content-range'];
      const result = await receivePiece(db, store, sessionUser(request), sha256, pieceOf(request.body, range), limits, ctx.now());
      return reply.status(result.complete ? 201 : 202).send(result);
    });

    // HEAD first: Fastify would otherwise answer HEAD from the GET route below, streaming the blob.
    const headDoc = doc({ summary: `How many bytes of a blob the server holds from you (${BLOB_RECEIVED_HEADER}): where to resume`, params: BlobParams });
    app.head('/api/blobs/:sha256', { preHandler: requireUser(ctx), ...headDoc }, async (request, reply) => {
      const sha256 = blobName(request.params);
      const received = await receivedBytes(db, sessionUser(request), sha256, ctx.now(), unreadable(request));
      const complete = received > 0 && (await mayFetch(db, sessionUser(request), sha256, ctx.now(), unreadable(request))) && (await store.has(sha256));
      reply.header(BLOB_RECEIVED_HEADER, String(received));
      return reply.status(complete ? 200 : 404).send();
    });

    const getDoc = doc({ summary: 'A photo or its thumbnail, to who may see an incident that names it', params: BlobParams, responseType: 'image/*' });
    app.get('/api/blobs/:sha256', { preHandler: requireUser(ctx), ...getDoc }, async (request, reply) => {
      const sha256 = blobName(request.params);
      // One answer for "not here" and "not yours": a hash says nothing to who may not see it.
      const stream = (await mayFetch(db, sessionUser(request), sha256, ctx.now(), unreadable(request))) ? await store.get(sha256) : null;
      if (!stream) throw new HttpError(404, 'not-found', 'no such blob, or not one you may see');
      const held = await db.selectFrom('blobs').select(['size', 'type']).where('sha256', '=', sha256).executeTakeFirst();
      if (held) reply.header('content-length', String(held.size));
      return reply.type(held?.type ?? 'application/octet-stream').send(stream);
    });
  };
}

function unreadable(request: FastifyRequest): UnreadableSink {
  return (problem) => request.log.warn(problem, 'stored record failed its schema; left out');
}
