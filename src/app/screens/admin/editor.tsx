import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { locale, t, type MessageKey } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import type { Problem } from './drafts.js';
import { FormProblems } from './FormProblems.js';

/** The state every admin editor form keeps; a new selection (`draftId`) starts clean, the cursor in `firstField`. */
export function useEditor<E extends HTMLElement>(draftId: string) {
  const problems = useSignal<Problem[]>([]);
  const saved = useSignal(false);
  const save = useAction({ inline: true });
  const remove = useAction({ inline: true });
  const firstField = useRef<E>(null);
  useEffect(() => {
    problems.value = [];
    saved.value = false;
    save.error.value = null;
    remove.error.value = null;
    firstField.current?.focus();
  }, [draftId]);
  return { problems, saved, save, remove, firstField };
}

/** Delete, after a second deliberate tap naming what goes; key it by the draft so a new selection asks afresh. */
function ConfirmDelete({ name, busy, remove, onDelete }: { name: string; busy: boolean; remove: ReturnType<typeof useAction>; onDelete: () => Promise<void> }) {
  const confirming = useSignal(false);
  if (!confirming.value) {
    return (
      <button type="button" class="danger" disabled={busy} onClick={() => (confirming.value = true)}>
        {t('admin.delete')}
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={t('admin.delete')}>
      <p>{t('admin.confirmDelete', { name })}</p>
      <div class="row">
        <button type="button" class="danger" disabled={busy} onClick={() => void remove.run(onDelete).then(() => (confirming.value = false))}>
          {remove.busy.value ? t('admin.deleting') : t('admin.confirmDeleteYes')}
        </button>
        <button type="button" onClick={() => (confirming.value = false)}>
          {t('admin.cancel')}
        </button>
      </div>
    </div>
  );
}

/**
 * The end of every admin editor form: what is wrong, that it saved, save and cancel, and for a
 * stored item the delete that asks twice.
 */
export function EditorFooter({
  editor: { problems, saved, save, remove },
  labels,
  draft,
  onClose,
  deleteItem,
  onDeleted,
}: {
  editor: Pick<ReturnType<typeof useEditor>, 'problems' | 'saved' | 'save' | 'remove'>;
  labels: Readonly<Record<string, MessageKey>>;
  draft: { id: string; isNew: boolean; nameZh: string; nameEn: string };
  onClose: () => void;
  /** Deletes the stored item on the server; `onDeleted` follows once it has. */
  deleteItem: (id: string) => Promise<void>;
  onDeleted: () => void;
}) {
  const busy = save.busy.value || remove.busy.value;
  return (
    <>
      <FormProblems problems={problems.value} labels={labels} error={save.error.value ?? remove.error.value} />
      {saved.value && (
        <p class="ok" role="status">
          {t('admin.saved')}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {save.busy.value ? t('admin.saving') : t('admin.save')}
        </button>
        <button type="button" onClick={onClose} disabled={busy}>
          {t('admin.cancel')}
        </button>
      </div>
      {!draft.isNew && (
        <ConfirmDelete
          key={draft.id}
          name={locale.value === 'en' ? draft.nameEn : draft.nameZh}
          busy={busy}
          remove={remove}
          onDelete={() => deleteItem(draft.id).then(onDeleted)}
        />
      )}
    </>
  );
}
