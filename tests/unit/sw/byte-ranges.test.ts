import { describe, expect, it } from 'vitest';
import { sliceRange } from '../../../src/sw/byte-ranges.js';

const archive = () =>
  new Response(new Uint8Array(Array.from({ length: 100 }, (_, i) => i)), { headers: { etag: '"v1"', 'content-type': 'application/octet-stream' } });
const bytes = async (r: Response) => [...new Uint8Array(await r.arrayBuffer())];

describe('answering byte ranges from a kept archive', () => {
  it('gives the asked bytes as a 206 with their place and the whole size, keeping the ETag', async () => {
    const r = await sliceRange(archive(), 'bytes=10-14');
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 10-14/100');
    expect(r.headers.get('content-length')).toBe('5');
    expect(r.headers.get('etag')).toBe('"v1"');
    expect(await bytes(r)).toEqual([10, 11, 12, 13, 14]);
  });

  it("cuts a range that runs past the end, as the PMTiles reader's first 16 KiB request does on a small archive", async () => {
    const r = await sliceRange(archive(), 'bytes=0-16383');
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 0-99/100');
    expect((await bytes(r)).length).toBe(100);
  });

  it('serves open-ended and suffix ranges', async () => {
    expect(await bytes(await sliceRange(archive(), 'bytes=97-'))).toEqual([97, 98, 99]);
    expect(await bytes(await sliceRange(archive(), 'bytes=-2'))).toEqual([98, 99]);
  });

  it('answers 416 with the size for a range beyond the end or one it cannot read', async () => {
    for (const range of ['bytes=100-200', 'bytes=5-2', 'items=0-1', 'bytes=-']) {
      const r = await sliceRange(archive(), range);
      expect(r.status).toBe(416);
      expect(r.headers.get('content-range')).toBe('bytes */100');
    }
  });
});
