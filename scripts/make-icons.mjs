// Draws the app icons (a gold shield with a road-like patrol stripe on navy) into public/icons.
// Run once with `node scripts/make-icons.mjs`; the PNGs are committed. No image library needed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const NAVY = [11, 42, 74, 255];
const GOLD = [242, 183, 5, 255];
const WHITE = [238, 243, 248, 255];

function crc32(buf) {
  let c,
    crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel((x + 0.5) / size, (y + 0.5) / size), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// Shield in unit coordinates centred on (0.5, 0.5) with half-width w.
function inShield(x, y, w) {
  const top = 0.5 - w * 1.05,
    mid = 0.5 + w * 0.15,
    bottom = 0.5 + w * 1.15;
  if (y < top || y > bottom || Math.abs(x - 0.5) > w) return false;
  if (y <= mid) return true;
  const t = (y - mid) / (bottom - mid); // narrows to a point
  return Math.abs(x - 0.5) <= w * Math.sqrt(1 - t * t);
}
function icon(scale, rounded) {
  return (x, y) => {
    if (rounded) {
      const r = 0.18,
        dx = Math.max(r - x, 0, x - (1 - r)),
        dy = Math.max(r - y, 0, y - (1 - r));
      if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
    }
    const w = 0.34 * scale;
    if (inShield(x, y, w)) {
      if (inShield(x, y, w * 0.8)) {
        const stripe = Math.abs(x - 0.5 + (y - 0.5) * 0.6) < w * 0.14;
        return stripe ? WHITE : NAVY;
      }
      return GOLD;
    }
    return NAVY;
  };
}
mkdirSync('public/icons', { recursive: true });
writeFileSync('public/icons/icon-192.png', png(192, icon(1, true)));
writeFileSync('public/icons/icon-512.png', png(512, icon(1, true)));
// Maskable: full-bleed background, artwork inside the 80 % safe zone.
writeFileSync('public/icons/maskable-512.png', png(512, icon(0.78, false)));
