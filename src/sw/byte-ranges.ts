/**
 * Answers a Range request from a whole body, as an HTTP server would (RFC 9110 §14): a range
 * that runs past the end is cut at the end, and one that cannot be met is a 416 that states the
 * size, which the PMTiles reader reads to ask again. (workbox-range-requests refuses the first
 * case with a 416 that does not state the size; the reader's first request asks for 16 KiB,
 * more than a small archive has.)
 */
export async function sliceRange(whole: Response, range: string): Promise<Response> {
  const blob = await whole.blob();
  const size = blob.size;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  const unsatisfiable = () => new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
  if (!match || (match[1] === '' && match[2] === '')) return unsatisfiable();
  // "bytes=-N" is the last N bytes; "bytes=N-" runs to the end.
  const start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] === '' || match[2] === '' ? size : Math.min(Number(match[2]) + 1, size);
  if (start >= end) return unsatisfiable();
  const headers = new Headers(whole.headers);
  headers.set('content-range', `bytes ${start}-${end - 1}/${size}`);
  headers.set('content-length', String(end - start));
  return new Response(blob.slice(start, end), { status: 206, statusText: 'Partial Content', headers });
}
