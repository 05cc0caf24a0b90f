import type { Signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { PhotoRef } from '../../../domain/incidents.js';
import { t } from '../../i18n/index.js';
import { preparePhotos } from '../../state/incidents.js';

/** A photo taken for a report or an update: its reference for the record, and its thumbnail's URL for the form. */
export interface CapturedPhoto {
  ref: PhotoRef;
  url: string;
}

/**
 * The camera button of a report or an update (issue 15): each photo is made ready in the worker
 * (resized, thumbnail made, EXIF gone) and kept on the device at once; the form names them when
 * it is sent. `preparing` is non-null while the worker is busy, so the form waits to be sent.
 */
export function PhotoCapture({
  officerId,
  photos,
  preparing,
  run,
  testId,
}: {
  officerId: string;
  photos: Signal<CapturedPhoto[]>;
  preparing: Signal<{ done: number; of: number } | null>;
  run: (action: () => Promise<void>) => Promise<unknown>;
  testId: string;
}) {
  useEffect(() => () => photos.peek().forEach((p) => URL.revokeObjectURL(p.url)), []);

  const addPhotos = (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length === 0) return;
    preparing.value = { done: 0, of: files.length };
    void run(async () => {
      try {
        const prepared = await preparePhotos(officerId, files, (done) => (preparing.value = { done, of: files.length }));
        const known = new Set(photos.value.map((p) => p.ref.sha256));
        const fresh = prepared.filter((p) => !known.has(p.ref.sha256)).map((p) => ({ ref: p.ref, url: URL.createObjectURL(p.preview) }));
        photos.value = [...photos.value, ...fresh];
      } finally {
        preparing.value = null;
      }
    });
  };

  return (
    <fieldset>
      <legend>{t('incident.photos')}</legend>
      <label class="incident-camera">
        {t('incident.photos.take')}
        <input type="file" accept="image/*" capture="environment" multiple onChange={(e) => addPhotos(e.currentTarget)} data-testid={testId} />
      </label>
      {preparing.value && (
        <p class="muted" role="status">
          {t('incident.photos.preparing', { done: preparing.value.done, n: preparing.value.of })}
        </p>
      )}
      {photos.value.length > 0 && (
        <ul class="incident-thumbs" data-testid="incident-thumbs">
          {photos.value.map((p) => (
            <li key={p.ref.sha256}>
              <img src={p.url} alt={t('incident.photo', { width: p.ref.width, height: p.ref.height })} />
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
