import { zxyToTileId } from 'pmtiles';

// A minimal PMTiles v3 writer for tests (the npm package only reads): uncompressed directory
// and metadata, one root directory, tiles stored in tile-id order. Spec: PMTiles v3 §3–§4.

const varint = (out: number[], value: number): void => {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
};

/** Writes an archive of PNG tiles keyed "z/x/y", covering `bounds` [w, s, e, n]. */
export function writePmtiles(tiles: Map<string, Uint8Array>, bounds: [number, number, number, number]): Buffer {
  const entries = [...tiles].map(([key, data]) => {
    const [z, x, y] = key.split('/').map(Number) as [number, number, number];
    return { id: zxyToTileId(z, x, y), z, data };
  });
  entries.sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => {
    const at = offset;
    offset += e.data.length;
    return { ...e, offset: at };
  });
  const dir: number[] = [];
  varint(dir, placed.length);
  let last = 0;
  for (const e of placed) {
    varint(dir, e.id - last);
    last = e.id;
  }
  for (let i = 0; i < placed.length; i++) varint(dir, 1);
  for (const e of placed) varint(dir, e.data.length);
  placed.forEach((e, i) => varint(dir, i > 0 && e.offset === placed[i - 1]!.offset + placed[i - 1]!.data.length ? 0 : e.offset + 1));
  const metadata = Buffer.from('{}');
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header[7] = 3;
  const rootAt = 127;
  const metaAt = rootAt + dir.length;
  const dataAt = metaAt + metadata.length;
  const u64 = (pos: number, v: number) => header.writeBigUInt64LE(BigInt(v), pos);
  u64(8, rootAt);
  u64(16, dir.length);
  u64(24, metaAt);
  u64(32, metadata.length);
  u64(40, dataAt + offset);
  u64(48, 0);
  u64(56, dataAt);
  u64(64, offset);
  u64(72, placed.length);
  u64(80, placed.length);
  u64(88, placed.length);
  header[96] = 1; // clustered
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = 2; // tile type: png
  header[100] = Math.min(...placed.map((e) => e.z));
  header[101] = Math.max(...placed.map((e) => e.z));
  const e7 = (pos: number, deg: number) => header.writeInt32LE(Math.round(deg * 1e7), pos);
  e7(102, bounds[0]);
  e7(106, bounds[1]);
  e7(110, bounds[2]);
  e7(114, bounds[3]);
  header[118] = header[100];
  e7(119, (bounds[0] + bounds[2]) / 2);
  e7(123, (bounds[1] + bounds[3]) / 2);
  return Buffer.concat([header, Buffer.from(dir), metadata, ...placed.map((e) => e.data)]);
}
