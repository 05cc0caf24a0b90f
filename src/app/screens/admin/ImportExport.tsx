import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { ApiError } from '../../../store/api.js';
import { t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import type { ImportOutcome } from '../../../domain/protocol/admin.js';

/** A file read and parsed, waiting for the admin to confirm the import. */
interface Pending {
  file: string;
  features: number;
  collection: unknown;
}

type Outcome = { kind: 'done'; created: number; updated: number } | { kind: 'problems'; problems: string[] } | { kind: 'bad-file'; message: string };

interface Props {
  title: string;
  hint: string;
  /** Where the server serves the export as a download. */
  exportHref: string;
  /** Sends the parsed collection; the server takes all of it or nothing. */
  onImport: (collection: unknown) => Promise<ImportOutcome>;
  testId: string;
}

/** GeoJSON out (a download from the server) and in (read here, confirmed, sent whole; all or nothing), for checkpoints or control points. */
export function ImportExport({ title, hint, exportHref, onImport, testId }: Props) {
  const pending = useSignal<Pending | null>(null);
  const outcome = useSignal<Outcome | null>(null);
  const reading = useAction({ inline: true });
  const sending = useAction({ inline: true });
  const input = useRef<HTMLInputElement>(null);

  function choose(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    pending.value = null;
    outcome.value = null;
    if (!file) return;
    void reading.run(async () => {
      const text = await file.text();
      let collection: unknown;
      try {
        collection = JSON.parse(text);
      } catch (error) {
        outcome.value = {
          kind: 'bad-file',
          message: t('admin.io.badJson', { file: file.name, message: error instanceof Error ? error.message : String(error) }),
        };
        return;
      }
      const features = typeof collection === 'object' && collection !== null ? (collection as { type?: unknown; features?: unknown }) : {};
      if (features.type !== 'FeatureCollection' || !Array.isArray(features.features)) {
        outcome.value = { kind: 'bad-file', message: t('admin.io.notCollection', { file: file.name }) };
        return;
      }
      pending.value = { file: file.name, features: features.features.length, collection };
    });
  }

  function reset() {
    pending.value = null;
    // Cleared so choosing the same (now fixed) file again fires a change.
    if (input.current) input.current.value = '';
  }

  function confirm() {
    const file = pending.value;
    if (!file) return;
    void sending.run(async () => {
      try {
        const result = await onImport(file.collection);
        outcome.value = { kind: 'done', ...result };
      } catch (error) {
        // The server names every bad feature; show them all so the file can be fixed in one pass.
        if (error instanceof ApiError && error.body.problems?.length) outcome.value = { kind: 'problems', problems: error.body.problems };
        else throw error;
      } finally {
        reset();
      }
    });
  }

  const result = outcome.value;
  return (
    <section class="panel stack" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <h2 id={`${testId}-title`}>{title}</h2>
      <p class="muted">{hint}</p>
      <div class="row">
        {/* A plain navigation: the server's content-disposition names the file (dated), and the service worker leaves
            /api alone. The download name is never empty: preact-iso's router takes a link whose `download` is "" for
            one of the app's own pages, and the file would never come. */}
        <a class="button" href={exportHref} download={`${exportHref.split('/').at(-2) ?? 'export'}.geojson`}>
          {t('admin.io.export')}
        </a>
        <label class="button file">
          {t('admin.io.import')}
          <input ref={input} type="file" accept=".geojson,.json,application/geo+json,application/json" disabled={sending.busy.value} onChange={choose} />
        </label>
      </div>
      {reading.error.value && (
        <p class="form-error" role="alert">
          {t('admin.io.readFailed', { message: reading.error.value })}
        </p>
      )}
      {sending.error.value && (
        <p class="form-error" role="alert">
          {sending.error.value}
        </p>
      )}
      {pending.value && (
        <div class="confirm" role="group" aria-label={t('admin.io.import')}>
          <p>{t('admin.io.confirm', { file: pending.value.file, n: pending.value.features })}</p>
          <div class="row">
            <button type="button" class="primary" disabled={sending.busy.value} onClick={confirm}>
              {sending.busy.value ? t('admin.io.importing') : t('admin.io.confirmYes')}
            </button>
            <button type="button" disabled={sending.busy.value} onClick={reset}>
              {t('admin.cancel')}
            </button>
          </div>
        </div>
      )}
      {result?.kind === 'done' && (
        <p class="ok" role="status" data-testid="import-result">
          {t('admin.io.done', { created: result.created, updated: result.updated })}
        </p>
      )}
      {result?.kind === 'bad-file' && (
        <p class="form-error" role="alert" data-testid="import-result">
          {result.message}
        </p>
      )}
      {result?.kind === 'problems' && (
        <div class="form-error" role="alert" data-testid="import-result">
          <p>{t('admin.io.problems', { n: result.problems.length })}</p>
          <ul>
            {result.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
