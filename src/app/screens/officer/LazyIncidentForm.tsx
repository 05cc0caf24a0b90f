import type { ComponentProps, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import type { IncidentForm } from './IncidentForm.js';

type Props = ComponentProps<typeof IncidentForm>;

/** The incident form is its own chunk (precached, so it opens offline): the home's first paint does not wait for it. */
export function LazyIncidentForm(props: Props) {
  const [Form, setForm] = useState<ComponentType<Props> | null>(null);
  useEffect(() => {
    import('./IncidentForm.js').then((m) => setForm(() => m.IncidentForm), reportError);
  }, []);
  return Form ? <Form {...props} /> : <p class="muted">{t('app.loading')}</p>;
}
