import { t } from '../i18n/index.js';
import { dismiss, notices, type NoticeText } from '../state/notices.js';

/** Reads the catalog at render time, so a language switch reaches notices already shown. */
const render = (text: NoticeText) => (typeof text === 'string' ? text : text());

/** The stack of messages just under the top bar; errors stay until dismissed. */
export function Notices() {
  return (
    <div class="notices" aria-live="polite">
      {notices.value.map((notice) => (
        <div key={notice.id} class={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{render(notice.text)}</span>
          {notice.action && (
            <button
              type="button"
              onClick={() => {
                notice.action?.run();
                dismiss(notice.id);
              }}
            >
              {render(notice.action.label)}
            </button>
          )}
          <button type="button" onClick={() => dismiss(notice.id)} aria-label={t('error.dismiss')}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
