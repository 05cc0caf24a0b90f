import { effect, signal } from '@preact/signals';
import { en } from './en.js';
import { zhCN, type Catalog, type MessageKey } from './zh-CN.js';

export type Locale = 'zh-CN' | 'en';
export type { MessageKey };

const CATALOGS: Record<Locale, Catalog> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'xf.locale';

function initialLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

/** The UI language: zh-CN unless the user chose English on this device. */
export const locale = signal<Locale>(initialLocale());

effect(() => {
  localStorage.setItem(STORAGE_KEY, locale.value);
  document.documentElement.lang = locale.value;
});

/** Switches between the two languages, remembered on the device. */
export function toggleLocale(): void {
  locale.value = locale.value === 'zh-CN' ? 'en' : 'zh-CN';
}

/** Looks a message up in the current catalog and fills its `{name}` slots. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return CATALOGS[locale.value][key].replace(/\{(\w+)\}/g, (slot, name: string) => String(params[name] ?? slot));
}

/** Formats a time for the current language (24-hour, local time zone). */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(locale.value, { hour: '2-digit', minute: '2-digit', hour12: false });
}
