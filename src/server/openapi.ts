import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type { RouteOptions } from 'fastify';
import * as v from 'valibot';
import { SESSION_COOKIE } from './auth/sessions.js';

// GET /api/openapi.json: the API described from the same valibot schemas the routes validate
// with. Each route says what it takes next to its registration (`...doc({ summary, body, ... })`);
// the document is assembled from every route Fastify registered (onRoute), so a route that says
// nothing still appears, without a summary, and the test that every route is described fails.

/** What a route says about itself for the API description. */
export interface RouteDoc {
  summary: string;
  /** The JSON body, as the route parses it. */
  body?: v.GenericSchema;
  /** Other media types the body may come in (bytes, forms), described in words by `bodyNote`. */
  bodyTypes?: readonly string[];
  bodyNote?: string;
  query?: v.GenericSchema;
  params?: v.GenericSchema;
  /** The success answer's JSON, where a schema for it exists. */
  response?: v.GenericSchema;
  /** The success answer's media type when it is not JSON (a CSV export, a stream, bytes). */
  responseType?: string;
  /** Its status when not 200. */
  status?: number;
  /** How a caller without a cookie session authenticates (a tracker's token). */
  auth?: string;
  /** Requests the route takes, by name: each must pass the schemas above (the OpenAPI test checks). */
  examples?: Record<string, RequestExample>;
}

/** One example request: the parts the route's schemas describe. */
interface RequestExample {
  body?: unknown;
  query?: Record<string, string>;
  params?: Record<string, string>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's part of GET /api/openapi.json. */
    doc?: RouteDoc;
  }
}

/** Route options that describe the route: spread them into its options. */
export function doc(routeDoc: RouteDoc): { config: { doc: RouteDoc } } {
  return { config: { doc: routeDoc } };
}

/** Who may call a route, as `requireUser` marks its preHandler: any signed-in user, or these roles. */
export const ACCESS = Symbol('access');
type Access = { [ACCESS]: readonly string[] | 'any' };

/** A registered route, as the onRoute hook sees it. */
export interface RegisteredRoute {
  method: string;
  url: string;
  doc: RouteDoc | undefined;
  access: readonly string[] | 'any' | null;
}

/** The route as the document needs it; HEAD routes Fastify adds beside a GET are left to the GET. */
export function registeredRoute(options: RouteOptions): RegisteredRoute[] {
  const methods = Array.isArray(options.method) ? options.method : [options.method];
  const handlers = [options.preHandler, options.onRequest].flat().filter((h) => typeof h === 'function');
  const guard = handlers.find((h): h is typeof h & Access => ACCESS in h);
  return methods.map((method) => ({ method: method.toUpperCase(), url: options.url, doc: options.config?.doc, access: guard ? guard[ACCESS] : null }));
}

const ErrorSchema = v.object({
  error: v.pipe(v.string(), v.description('a stable code: bad-request, unauthenticated, forbidden, not-found, conflict, locked, busy, …')),
  message: v.pipe(v.string(), v.description('what was wrong, in words')),
});

/** JSON Schema 2020-12 (OpenAPI 3.1's own) of what a request must be; checks JSON Schema cannot say are the server's alone. */
function jsonSchema(schema: v.GenericSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = toJsonSchema(schema, { target: 'draft-2020-12', typeMode: 'input', errorMode: 'ignore' });
  return rest;
}

/** `/api/tasks/:id` → `/api/tasks/{id}` and its parameter names. */
function openApiPath(url: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (names.push(name), `{${name}}`));
  return { path, names };
}

/** One parameter per property of an object schema (query strings and paths are flat). */
function parameters(where: 'query' | 'path', schema: v.GenericSchema | undefined, names: readonly string[] = []): object[] {
  const json: JsonSchema = schema ? jsonSchema(schema) : { type: 'object', properties: {} };
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  for (const name of names) properties[name] ??= { type: 'string' };
  return Object.entries(properties).map(([name, property]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: property }));
}

function operation(route: RegisteredRoute, names: string[]): object {
  const d = route.doc;
  const responses: Record<string, object> = {};
  const ok = d?.responseType
    ? { description: 'success', content: { [d.responseType]: {} } }
    : { description: 'success', ...(d?.response ? { content: { 'application/json': { schema: jsonSchema(d.response) } } } : {}) };
  responses[String(d?.status ?? 200)] = ok;
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  if (d?.body || d?.query || d?.params || names.length > 0) responses['400'] = error('the request is malformed; nothing was changed');
  if (route.access) responses['401'] = error('no session, or it has expired');
  if (Array.isArray(route.access)) responses['403'] = error('the role may not do this');

  const content: Record<string, object> = {};
  if (d?.body) {
    const examples = Object.entries(d.examples ?? {}).filter(([, e]) => e.body !== undefined);
    content['application/json'] = {
      schema: jsonSchema(d.body),
      ...(examples.length ? { examples: Object.fromEntries(examples.map(([name, e]) => [name, { value: e.body }])) } : {}),
    };
  }
  for (const type of d?.bodyTypes ?? []) content[type] = {};
  return {
    summary: d?.summary,
    ...(d?.bodyNote ? { description: d.bodyNote } : {}),
    ...(d?.auth ? { description: [d.bodyNote, `Authentication: ${d.auth}`].filter(Boolean).join('\n\n') } : {}),
    security: route.access ? [{ session: [] }] : [],
    ...(Array.isArray(route.access) ? { 'x-roles': route.access } : {}),
    parameters: [...parameters('path', d?.params, names), ...parameters('query', d?.query)],
    ...(Object.keys(content).length ? { requestBody: { required: true, content } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every `/api/` route registered. */
export function openApiDocument(routes: readonly RegisteredRoute[], version: string): object {
  const api = routes.filter((r) => r.url.startsWith('/api/'));
  const gets = new Set(api.filter((r) => r.method === 'GET').map((r) => r.url));
  const paths: Record<string, Record<string, object>> = {};
  for (const route of api) {
    if (route.method === 'HEAD' && gets.has(route.url)) continue;
    const { path, names } = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '巡防 Xunfang API',
      version,
      description:
        'The sync server of Xunfang. Sign in with POST /api/auth/login; the answer sets the session cookie every other call sends. ' +
        'Errors are JSON { error, message }. Request schemas are generated from the valibot schemas the server validates with; ' +
        'checks JSON Schema cannot express (a signature, a polygon that closes) are the server’s alone.',
    },
    paths,
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      schemas: { Error: jsonSchema(ErrorSchema) },
    },
  };
}
