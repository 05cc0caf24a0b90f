import { t, type MessageKey } from '../../i18n/index.js';
import type { Problem } from './drafts.js';

/**
 * A form's failures, beside its fields: the schema's problems, each named by its field's label
 * (the longest labelled prefix of its path), and the server's refusal.
 */
export function FormProblems({
  problems,
  labels,
  error,
}: {
  problems: readonly Problem[];
  labels: Readonly<Record<string, MessageKey>>;
  error: string | null;
}) {
  if (problems.length === 0 && !error) return null;
  return (
    <div class="form-error" role="alert" data-testid="form-problems">
      {error && <p>{error}</p>}
      {problems.length > 0 && (
        <>
          <p>{t('admin.invalid')}</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {fieldLabel(p.path, labels)}: {p.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function fieldLabel(path: string, labels: Readonly<Record<string, MessageKey>>): string {
  for (let parts = path.split('.'); parts.length > 0; parts = parts.slice(0, -1)) {
    const key = labels[parts.join('.')];
    if (key) return t(key);
  }
  return path;
}
