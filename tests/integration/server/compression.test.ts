import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../harness.js';

const STATIC_DIR = 'dist/app';

/** A raw GET: fetch would ask for and undo the encoding itself, hiding what the server sent. */
function rawGet(url: string, acceptEncoding?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('the built app is sent compressed to browsers that accept it', () => {
  let server: TestServer;
  const assets = existsSync(join(STATIC_DIR, 'assets')) ? readdirSync(join(STATIC_DIR, 'assets')) : [];
  /** The first visit's heavy files: the map chunk, maplibre's worker, the coastline data, and the service worker. */
  const big = [
    ...['useBaseMap-', 'maplibre-gl-worker-', 'countries-50m-'].map((prefix) => {
      const name = assets.find((file) => file.startsWith(prefix) && !/\.(br|gz)$/.test(file));
      if (!name) throw new Error(`no ${prefix}* in ${STATIC_DIR}/assets: run \`npm run build\` first`);
      return `/assets/${name}`;
    }),
    '/sw.js',
  ];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: STATIC_DIR });
  });
  afterAll(() => server.close());

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('answers %s with the same bytes, its own content type and Vary: Accept-Encoding', async (encoding, decode) => {
    for (const path of big) {
      const original = readFileSync(join(STATIC_DIR, path));
      const response = await rawGet(server.url + path, `${encoding}, deflate`);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-encoding'], path).toBe(encoding);
      expect(response.headers['content-type'], path).toBe((await rawGet(server.url + path)).headers['content-type']);
      expect(response.headers.vary, path).toMatch(/accept-encoding/i);
      expect(response.body.length, path).toBeLessThan(original.length / 2);
      expect(decode(response.body).equals(original), path).toBe(true);
    }
  });

  it('prefers brotli when both are accepted, and sends the file as it is when neither is', async () => {
    const [path] = big;
    expect((await rawGet(server.url + path, 'gzip, deflate, br')).headers['content-encoding']).toBe('br');
    for (const accept of [undefined, 'identity', 'deflate']) {
      const response = await rawGet(server.url + path, accept);
      expect(response.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(response.body.equals(readFileSync(join(STATIC_DIR, path!))), String(accept)).toBe(true);
    }
  });
});
