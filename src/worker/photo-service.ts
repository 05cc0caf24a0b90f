/// <reference lib="webworker" />
import type { PhotoRef } from '../domain/incidents.js';

// Photos for incidents (issue 15), made ready off the main thread: a phone camera's 12 MP JPEG
// takes hundreds of milliseconds to decode and re-encode. Decoding and drawing again keeps only
// pixels, so the EXIF (the camera's GPS position, its serial number) is left behind; what the
// record says of time and place is what the officer confirmed in the form.

/** The longest side a photo keeps: plenty to read a plate or a face, a fraction of the bytes. */
const PHOTO_MAX_SIDE = 2048;
const JPEG_QUALITY = 0.85;

/** A prepared photo: its bytes and the reference a record names them by. */
interface PreparedPhoto extends PhotoRef {
  blob: Blob;
}

/** The size a photo is drawn at: its own when small enough, else scaled so its longest side is PHOTO_MAX_SIDE. */
export function fittedSize(width: number, height: number, maxSide = PHOTO_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function preparePhoto(file: Blob): Promise<PreparedPhoto> {
  // from-image: a portrait photo stored sideways with an EXIF orientation comes out upright.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fittedSize(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context for an OffscreenCanvas in this browser');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { blob, sha256, size: blob.size, type: 'image/jpeg', width, height };
  } finally {
    bitmap.close();
  }
}

/** What the worker does with photos. */
export const photoService = { preparePhoto };
