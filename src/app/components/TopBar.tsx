import { useSignal } from '@preact/signals';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t, toggleLocale } from '../i18n/index.js';
import { lockNow, lockView } from '../state/device-lock.js';
import { online } from '../state/network.js';
import { Notices } from './Notices.js';
import { SyncIndicator } from './SyncIndicator.js';
import { activeUser, currentUser } from '../state/session.js';
import { SignOutDialog, signOutAsked } from './SignOutDialog.js';

/** Signs out through the dialog that says what happens to records still waiting. */
function askSignOut() {
  signOutAsked.value = true;
}

/**
 * Language and sign-out behind one menu button (the WAI-ARIA menu button pattern): the bar keeps
 * its width for the sync state, which matters more on a 390 px screen than two rarely used labels.
 */
function AppMenu() {
  const open = useSignal(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Behind the lock, the menu only switches the language.
  const user = lockView.value.kind === 'open' ? currentUser.value : null;

  const close = (refocus: boolean) => {
    open.value = false;
    if (refocus) button.current?.focus();
  };
  useEffect(() => {
    if (!open.value) return;
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open.value]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') return close(true);
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  };
  const choose = (action: () => void) => () => {
    close(true);
    action();
  };

  return (
    <div class="menu" ref={root} onKeyDown={onKeyDown}>
      <button
        type="button"
        ref={button}
        class="menu-button"
        aria-haspopup="menu"
        aria-expanded={open.value}
        aria-controls={id}
        onClick={() => (open.value = !open.value)}
      >
        {t('menu.label')}
      </button>
      {open.value && (
        <div class="menu-list" role="menu" id={id}>
          <button type="button" role="menuitem" lang={t('lang.toggleTag')} onClick={choose(toggleLocale)} title={t('lang.toggleLabel')}>
            {t('lang.toggle')}
          </button>
          {user && (
            <button type="button" role="menuitem" onClick={choose(askSignOut)}>
              {t('auth.signOut')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** App name, one line of sync state, the menu and the notices under them: always in reach of one thumb. */
export function TopBar() {
  const user = lockView.value.kind === 'open' ? currentUser.value : null;
  return (
    <header class={user ? 'topbar signed-in' : 'topbar'}>
      <strong class="brand">{t('app.name')}</strong>
      {user ? (
        <SyncIndicator />
      ) : (
        <span class="sync" role="status">
          <span class={`net ${online.value ? 'net-on' : 'net-off'}`} data-testid="net-status">
            {online.value ? t('net.online') : t('net.offline')}
          </span>
        </span>
      )}
      {/* Nothing to lock while a one-time password waits: the device holds no key yet. */}
      {user && activeUser.value && (
        <button type="button" class="lock-button" onClick={lockNow} data-testid="lock-button" aria-label={t('lock.button')} title={t('lock.button')}>
          {/* A padlock drawn here: no icon font, and an emoji font is not on every handheld. */}
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M7 10V7a5 5 0 0 1 10 0v3" fill="none" stroke="currentColor" stroke-width="2" />
            <rect x="4.5" y="10" width="15" height="11" rx="2" fill="currentColor" />
          </svg>
        </button>
      )}
      <AppMenu />
      <SignOutDialog />
      {/* Hung from the bar, so they start below it however many lines it takes. Not over the lock:
          a notice (a new task, a sync problem) is for the officer, not whoever holds the phone. */}
      {(lockView.value.kind === 'open' || lockView.value.kind === 'set-pin') && <Notices />}
    </header>
  );
}
