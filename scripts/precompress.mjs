// Writes brotli (.br) and gzip (.gz) siblings of the built app's text assets, which the server
// sends as they are (@fastify/static `preCompressed`) to a browser that accepts them: compressing
// once at build time, at the strongest levels, costs nothing per request.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = process.argv[2] ?? 'dist/app';
const COMPRESSIBLE = /\.(js|mjs|css|html|json|webmanifest|svg|txt)$/;
/** Below this a compressed copy saves less than a header's worth of bytes. */
const MIN_BYTES = 1024;

let before = 0;
let after = 0;
for (const entry of await readdir(ROOT, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  const bytes = await readFile(path);
  if (bytes.length < MIN_BYTES) continue;
  const br = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
  before += bytes.length;
  after += br.length;
  if (br.length < bytes.length) await writeFile(`${path}.br`, br);
  if (gz.length < bytes.length) await writeFile(`${path}.gz`, gz);
}
console.log(`precompressed ${ROOT}: ${(before / 1024).toFixed(0)} kB of text assets, ${(after / 1024).toFixed(0)} kB as brotli`);
