import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ApiErrorBody } from '../domain/protocol/api.js';
import type { AppConfigResponse } from '../domain/protocol/config.js';
import { containsNul } from '../domain/text.js';
import { PMTILES_PREFIX, publicMapSettings } from './config.js';
import type { ServerContext } from './context.js';
import { requireUser, sessionUser } from './auth/guard.js';
import { clientErrorHandler, frameworkErrorHandler, HttpError, installErrorHandler } from './errors.js';
import { nativeTrackAuditRoutes, routeViewRoutes, trackAuditRoutes } from './routes/track-audit.js';
import { authRoutes } from './routes/auth.js';
import { complianceRoutes } from './routes/compliance.js';
import { coverageRoutes } from './routes/coverage.js';
import { deviceRoutes } from './routes/devices.js';
import { deviceLockRoutes } from './routes/device-lock.js';
import { geographyRoutes } from './routes/geography.js';
import { zoneRoutes } from './routes/zones.js';
import { unitBoundaries } from './geography/rows.js';
import { healthRoutes } from './routes/health.js';
import { shiftRoutes } from './routes/shifts.js';
import { syncRoutes } from './routes/sync.js';
import { taskRoutes } from './routes/tasks.js';
import { lockdownRoutes } from './routes/lockdowns.js';
import { liveRoutes } from './routes/live.js';
import { nativeTrackerRoutes } from './routes/native-trackers.js';
import { squadRoutes } from './routes/squad.js';
import { blobRoutes } from './routes/blobs.js';
import { safetyIndexRoutes } from './routes/safety-index.js';
import { incidentRoutes } from './routes/incidents.js';
import { accountRoutes } from './routes/accounts.js';
import { auditRoutes } from './routes/audit.js';
import { incidentCategoryRoutes } from './routes/incident-categories.js';
import { LiveHub } from './live/hub.js';
import { doc, openApiDocument, registeredRoute, type RegisteredRoute } from './openapi.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered, with what it says about itself (the OpenAPI document's source). */
    registeredRoutes: readonly RegisteredRoute[];
  }
}

export interface BuildOptions {
  ctx: ServerContext;
  /** The built PWA (dist/app); when absent only the API is served. */
  staticDir?: string | undefined;
  https?: { cert: Buffer; key: Buffer } | undefined;
  logger?: FastifyServerOptions['logger'];
  /** How often an idle live stream gets a heartbeat (and its session a re-check). */
  liveHeartbeatMs?: number | undefined;
  /** How often the live channel looks for events whose wake-up was lost (tests lengthen it to see the wake-up alone at work). */
  liveSafetyPollMs?: number | undefined;
  /** Told of every route as it is registered (the authorisation matrix test lists them this way). */
  onRoute?: ((route: { method: string | string[]; url: string }) => void) | undefined;
}

/** Proxies commonly close a stream silent for 30–60 s. */
const LIVE_HEARTBEAT_MS = 15_000;

/** Default body limit; routes that take batches raise their own. */
const BODY_LIMIT = 64 * 1024;

/**
 * The strict CSP: everything from our own origin (and the configured base map's origins, for
 * images and fetches only), nothing inline, no framing. worker-src never widens: maplibre's
 * worker is bundled with the app.
 */
function cspDirectives(mapOrigins: readonly string[]) {
  return { ...CSP_DIRECTIVES, imgSrc: [...CSP_DIRECTIVES.imgSrc, ...mapOrigins], connectSrc: [...CSP_DIRECTIVES.connectSrc, ...mapOrigins] };
}

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Builds the Fastify app: security headers, JSON errors, API routes, the PWA. */
export async function buildServer(options: BuildOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions);

  const { onRoute } = options;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));
  installErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(ctx.map?.origins ?? []) },
    // HSTS only means something over TLS; on plain HTTP it would be ignored or, worse, stick.
    hsts: ctx.tls ? { maxAge: 15552000, includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    // For browsers older than frame-ancestors; DENY says the same as the CSP's 'none'.
    xFrameOptions: { action: 'deny' },
  });
  // U+0000 in any text (path, query, body) is refused here, alike on both databases: PostgreSQL
  // text cannot hold it. A push batch is the exception: its records are judged one by one
  // (RecordSchema refuses the character), so one bad record never takes the batch down. A blob's
  // bytes are not text (walking a 1 MiB Buffer as an object took a second a piece).
  app.addHook('preValidation', async (request) => {
    const body = request.routeOptions.url === '/api/sync/push' || Buffer.isBuffer(request.body) ? undefined : request.body;
    if (containsNul(request.params) || containsNul(request.query) || containsNul(body)) {
      throw new HttpError(400, 'bad-request', 'text must not contain the NUL character (U+0000)');
    }
  });
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  // Every route registered from here on, for GET /api/openapi.json (and its completeness test).
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => void routes.push(...registeredRoute(route)));
  app.decorate('registeredRoutes', routes);
  let description: object | undefined;
  app.get(
    '/api/openapi.json',
    // Public: it describes shapes, not data, and the app's own bundle already holds every path and
    // schema it names; integrators' tools fetch it without a session.
    doc({ summary: 'This API, described as OpenAPI 3.1, generated from the schemas the server validates with' }),
    async () => (description ??= openApiDocument(routes, ctx.version)),
  );
  await app.register(healthRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(deviceRoutes(ctx));
  await app.register(deviceLockRoutes(ctx));
  await app.register(syncRoutes(ctx));
  await app.register(trackAuditRoutes(ctx));
  await app.register(nativeTrackAuditRoutes(ctx));
  await app.register(routeViewRoutes(ctx));
  await app.register(shiftRoutes(ctx));
  await app.register(geographyRoutes(ctx));
  await app.register(zoneRoutes(ctx));
  await app.register(complianceRoutes(ctx));
  await app.register(coverageRoutes(ctx));
  await app.register(taskRoutes(ctx));
  await app.register(lockdownRoutes(ctx));
  await app.register(nativeTrackerRoutes(ctx));
  await app.register(squadRoutes(ctx));
  await app.register(blobRoutes(ctx));
  await app.register(safetyIndexRoutes(ctx));
  await app.register(incidentRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(incidentCategoryRoutes(ctx));
  const hub = await LiveHub.start(ctx.database, ctx.now, options.liveSafetyPollMs);
  app.addHook('preClose', async () => hub.close());
  await app.register(liveRoutes(ctx, hub, options.liveHeartbeatMs ?? LIVE_HEARTBEAT_MS));
  app.get(
    '/api/config',
    { preHandler: requireUser(ctx), ...doc({ summary: "What the app needs to start: the base map's settings and the unit's boundaries" }) },
    async (request): Promise<AppConfigResponse> => ({
      map: ctx.map ? publicMapSettings(ctx.map) : { base: { kind: 'none' }, gcj02: false },
      boundaries: await unitBoundaries(ctx.database.db, sessionUser(request).unitId),
    }),
  );
  const pmtilesFile = ctx.map?.pmtilesFile;
  if (pmtilesFile) {
    // The archive on our disk, with Range support (the PMTiles reader fetches byte ranges).
    // WARNING: only this one file: allowedPath keeps the rest of its folder private. Signed-in
    // users only, like /api/config that names it: the district's map is not for anyone passing.
    await app.register(async (scope) => {
      scope.addHook('onRequest', requireUser(ctx));
      await scope.register(fastifyStatic, {
        root: dirname(pmtilesFile),
        prefix: PMTILES_PREFIX,
        decorateReply: false,
        index: false,
        cacheControl: false,
        allowedPath: (path) => path === `/${basename(pmtilesFile)}`,
        setHeaders(res) {
          res.setHeader('cache-control', 'no-cache');
        },
      });
    });
  }

  const staticDir = options.staticDir && existsSync(join(options.staticDir, 'index.html')) ? resolve(options.staticDir) : undefined;
  if (staticDir) {
    await app.register(fastifyStatic, {
      root: staticDir,
      index: 'index.html',
      // The build writes .br and .gz beside each text asset (scripts/precompress.mjs): sent as they
      // are to a browser that accepts them, the first visit downloads a quarter of the bytes.
      preCompressed: true,
      cacheControl: false, // our setHeaders decides
      setHeaders(res, path) {
        // Hashed assets never change; everything else must be revalidated so updates arrive.
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
        // The same URL answers in three encodings: a shared cache must key on what was asked.
        res.setHeader('vary', 'accept-encoding');
      },
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && !/\.[a-z0-9]+(\?|$)/i.test(request.url);
    if (staticDir && isPage) {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    }
    return reply.status(404).send({ error: 'not-found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } satisfies ApiErrorBody);
  });

  return app;
}
