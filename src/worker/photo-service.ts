/// <reference lib="webworker" />
import { THUMB_MAX_SIDE, type PhotoRef, type ThumbRef } from '../domain/incidents.js';

// Photos for incidents (issue 15), made ready off the main thread: a phone camera's 12 MP JPEG
// takes hundreds of milliseconds to decode and re-encode. Decoding and drawing again keeps only
// pixels, so the EXIF (the camera's GPS position, its serial number) is left behind; what the
// record says of time and place is what the officer confirmed in the form.

/** The longest side a photo keeps: plenty to read a plate or a face, a fraction of the bytes. */
const PHOTO_MAX_SIDE = 2048;
const JPEG_QUALITY = 0.85;
const THUMB_QUALITY = 0.75;

/** A prepared photo: its bytes, its thumbnail's, and the reference a record names them by. */
interface PreparedPhoto extends PhotoRef {
  blob: Blob;
  thumb: ThumbRef;
  thumbBlob: Blob;
}

/** The size a photo is drawn at: its own when small enough, else scaled so its longest side is PHOTO_MAX_SIDE. */
export function fittedSize(width: number, height: number, maxSide = PHOTO_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draws the image at `maxSide` and encodes it as JPEG, with its SHA-256 (its name as a blob). */
async function encode(image: ImageBitmap, maxSide: number, quality: number): Promise<{ blob: Blob; sha256: string; width: number; height: number }> {
  const { width, height } = fittedSize(image.width, image.height, maxSide);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context for an OffscreenCanvas in this browser');
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { blob, sha256, width, height };
}

async function preparePhoto(file: Blob): Promise<PreparedPhoto> {
  // from-image: a portrait photo stored sideways with an EXIF orientation comes out upright.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const photo = await encode(bitmap, PHOTO_MAX_SIDE, JPEG_QUALITY);
    // Lists and timelines load this instead of the photo: 41 kB against 1.09 MB for a busy 12 MP scene.
    const thumb = await encode(bitmap, THUMB_MAX_SIDE, THUMB_QUALITY);
    return {
      blob: photo.blob,
      sha256: photo.sha256,
      size: photo.blob.size,
      type: 'image/jpeg',
      width: photo.width,
      height: photo.height,
      thumb: { sha256: thumb.sha256, size: thumb.blob.size, width: thumb.width, height: thumb.height },
      thumbBlob: thumb.blob,
    };
  } finally {
    bitmap.close();
  }
}

/** What the worker does with photos. */
export const photoService = { preparePhoto };
