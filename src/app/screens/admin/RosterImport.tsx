import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import type { RosterProblem, RosterRowProblems } from '../../../domain/roster-csv.js';
import { ApiError } from '../../../store/api.js';
import { t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { importRoster } from './accounts-store.js';

type Outcome = { kind: 'done'; created: number; updated: number } | { kind: 'rows'; rows: RosterRowProblems[] };

/** A problem in the app's language; its parameters fill the message's slots. */
function problemText(p: RosterProblem): string {
  const { code, ...params } = p;
  return t(`roster.problem.${code}`, params);
}

/** A roster CSV in: all rows or none, every bad row named by its line so the file is fixed in one pass. */
export function RosterImport() {
  const outcome = useSignal<Outcome | null>(null);
  const action = useAction({ inline: true });
  const input = useRef<HTMLInputElement>(null);

  function choose(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    outcome.value = null;
    if (!file) return;
    void action.run(async () => {
      try {
        const result = await importRoster(await file.text());
        outcome.value = { kind: 'done', created: result.created.length, updated: result.updated.length };
      } catch (error) {
        if (error instanceof ApiError && error.body.rows) outcome.value = { kind: 'rows', rows: error.body.rows };
        else throw error;
      } finally {
        if (input.current) input.current.value = '';
      }
    });
  }

  const result = outcome.value;
  return (
    <section class="panel stack" aria-labelledby="roster-import-title" data-testid="roster-import">
      <h2 id="roster-import-title">{t('accounts.import.title')}</h2>
      <p class="muted">{t('accounts.import.hint')}</p>
      <label>
        {t('accounts.import.choose')}
        <input ref={input} type="file" accept=".csv,text/csv" disabled={action.busy.value} onChange={choose} />
      </label>
      {action.error.value && (
        <p class="form-error" role="alert">
          {action.error.value}
        </p>
      )}
      {result?.kind === 'done' && (
        <p role="status" data-testid="roster-import-done">
          {t('accounts.import.done', { created: result.created, updated: result.updated })}
        </p>
      )}
      {result?.kind === 'rows' && (
        <div role="alert" class="form-error" data-testid="roster-import-rows">
          <p>{t('accounts.import.refused', { n: result.rows.length })}</p>
          <ul>
            {result.rows.map((r) => (
              <li key={r.line} data-line={r.line}>
                {t('accounts.import.line', { line: r.line })}: {r.codes.map(problemText).join('; ')}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
