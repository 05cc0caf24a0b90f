import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorBody, ApiErrorCode } from '../domain/protocol/api.js';

/** An error whose status and code the client is meant to see. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: Partial<ApiErrorBody> = {},
  ) {
    super(message);
  }
}

const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  503: 'busy',
};

/** The body of a 4xx that Fastify's own layer produced (bad URL, content-type parser), in our shape. */
function frameworkErrorBody(status: number, message: string): ApiErrorBody {
  return { error: CODE_BY_STATUS[status] ?? 'bad-request', message };
}

/** Fastify's `frameworkErrors`: errors raised before a route runs (a malformed URL, a bad content type) answer like ours. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status).send(frameworkErrorBody(status, error.message));
}

/**
 * Node's `clientError`: a request too broken for Fastify to see at all (headers too large, not
 * HTTP). Answered in our JSON shape, then the connection closes; a reset socket is just closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify(frameworkErrorBody(status, message));
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Every failure becomes a JSON body with a code and a message; 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: error.code, message: error.message, ...error.extra } satisfies ApiErrorBody);
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: 'internal', message: 'internal server error' } satisfies ApiErrorBody);
    }
    // JSON.parse's messages quote the body they choked on: say what is wrong without repeating it.
    const message = error instanceof SyntaxError || error.name === 'SyntaxError' ? 'the body is not valid JSON' : error.message;
    const body: ApiErrorBody = { error: CODE_BY_STATUS[status] ?? 'bad-request', message };
    return reply.status(status).send(body);
  });
}
