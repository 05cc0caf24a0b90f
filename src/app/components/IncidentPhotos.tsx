import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { PhotoRef } from '../../domain/incidents.js';
import { readPhoto } from '../../store/photo-store.js';
import { t } from '../i18n/index.js';
import { deviceDb } from '../state/db.js';

// Incidents' photos on screen (issue 15): thumbnails in lists and timelines, the photo full size on
// a tap. A blob still on this device (not sent yet, or sent with its record still waiting) is shown
// from IndexedDB, so an officer offline sees what they took; anything else comes from /api/blobs.

/** Where a blob's bytes are shown from: the device's copy, else the server. Null while looking. */
function useBlobUrl(sha256: string): string | null {
  const url = useSignal<string | null>(null);
  useEffect(() => {
    let local: string | null = null;
    let gone = false;
    deviceDb
      .then((db) => readPhoto(db, sha256))
      .then(
        (blob) => {
          if (gone) return;
          local = blob ? URL.createObjectURL(blob) : null;
          url.value = local ?? `/api/blobs/${sha256}`;
        },
        (error: unknown) => {
          // The device copy is only a shortcut: the server has every photo a record names.
          console.warn('reading a photo from the device failed; loading it from the server', error);
          if (!gone) url.value = `/api/blobs/${sha256}`;
        },
      );
    return () => {
      gone = true;
      if (local) URL.revokeObjectURL(local);
    };
  }, [sha256]);
  return url.value;
}

/** Photos as thumbnails (a photo without one, from before thumbnails, shows itself small); a tap opens it full size. */
export function PhotoThumbs({ photos, testId }: { photos: readonly PhotoRef[]; testId?: string }) {
  const open = useSignal<PhotoRef | null>(null);
  if (photos.length === 0) return null;
  return (
    <>
      <ul class="incident-thumbs" data-testid={testId}>
        {photos.map((photo, i) => (
          <li key={photo.sha256}>
            <button type="button" class="incident-thumb" aria-label={t('incidents.photo.open', { n: i + 1 })} onClick={() => (open.value = photo)}>
              <BlobImage sha256={photo.thumb?.sha256 ?? photo.sha256} alt={t('incident.photo', { width: photo.width, height: photo.height })} />
            </button>
          </li>
        ))}
      </ul>
      {open.value && <PhotoViewer photo={open.value} onClose={() => (open.value = null)} />}
    </>
  );
}

/** An image of a blob, from the device when it is there. */
export function BlobImage({ sha256, alt }: { sha256: string; alt: string }) {
  const src = useBlobUrl(sha256);
  return src ? <img src={src} alt={alt} decoding="async" loading="lazy" data-blob={sha256} /> : <span class="blob-loading" aria-label={alt} />;
}

/** A photo at full size over the page; closed by its button or Escape. */
function PhotoViewer({ photo, onClose }: { photo: PhotoRef; onClose: () => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const label = t('incident.photo', { width: photo.width, height: photo.height });
  return (
    <div class="photo-viewer" role="dialog" aria-modal="true" aria-label={label} data-testid="photo-viewer">
      <BlobImage sha256={photo.sha256} alt={label} />
      <button type="button" onClick={onClose} autoFocus>
        {t('incidents.photo.close')}
      </button>
    </div>
  );
}
