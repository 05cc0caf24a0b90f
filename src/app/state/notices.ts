import { signal } from '@preact/signals';
import { ApiError, OfflineError } from '../../store/api.js';
import { formatTime, t } from '../i18n/index.js';

/** Text, or how to make it: a notice made from the catalog is rendered anew in the language chosen later. */
export type NoticeText = string | (() => string);

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: NoticeText;
  action?: { label: NoticeText; run: () => void };
}

/** Messages shown to the user; the one place errors go so none is swallowed. */
export const notices = signal<readonly Notice[]>([]);
let nextId = 1;

/** How long an information notice stays; errors and notices with an action stay until dismissed. */
const INFO_MS = 5000;

export function notify(kind: Notice['kind'], text: NoticeText, action?: Notice['action'], holdMs = INFO_MS): void {
  const id = nextId++;
  notices.value = [...notices.value, { id, kind, text, ...(action ? { action } : {}) }];
  if (kind === 'info' && !action) setTimeout(() => dismiss(id), holdMs);
}

export function dismiss(id: number): void {
  notices.value = notices.value.filter((n) => n.id !== id);
}

/** Catalog text for any error the app can meet. */
export function describeError(error: unknown): string {
  if (error instanceof OfflineError) return t('error.offline');
  if (error instanceof ApiError) {
    const body = error.body;
    if (body.error === 'bad-credentials') {
      return body.attemptsLeft !== undefined && body.attemptsLeft <= 3
        ? `${t('error.badCredentials')} ${t('error.attemptsLeft', { n: body.attemptsLeft })}`
        : t('error.badCredentials');
    }
    if (body.error === 'locked' && body.lockedUntil) return t('error.locked', { time: formatTime(body.lockedUntil) });
    if (body.error === 'too-many-requests') return t('error.throttled');
    if (body.error === 'unauthenticated') return t('auth.sessionExpired');
    if (body.error === 'account-disabled') return t('auth.disabled');
    if (body.error === 'password-change-required') return t('password.forcedHint');
    if (error.status >= 500) return t('error.server', { status: error.status });
    // A refusal because of other data (a plan still uses the checkpoint), not a typing mistake.
    if (body.error === 'conflict') return t('error.conflict', { message: body.message });
    return t('error.badRequest', { message: body.message });
  }
  if (error instanceof DOMException && error.name === 'QuotaExceededError') return t('error.quota');
  if (error instanceof DOMException && error.name === 'InvalidStateError') return t('error.dbClosed');
  if (error instanceof DOMException) return t('error.storage', { message: `${error.name}: ${error.message}` });
  return t('error.unknown', { message: error instanceof Error ? error.message : String(error) });
}

/** Shows an error and logs it for the developer console. */
export function reportError(error: unknown): void {
  console.error(error);
  notify('error', () => describeError(error));
}
