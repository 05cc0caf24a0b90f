import { effect, signal } from '@preact/signals';
import { en } from './en.js';
import { zhCN, type Catalog, type Message, type MessageKey } from './zh-CN.js';

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

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** The form of a message for a count: a plural message picks its form by the `n` parameter. */
function formOf(message: Message, lang: Locale, n: string | number | undefined): string {
  if (typeof message === 'string') return message;
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return message[rules.select(Number(n))] ?? message.other;
}

/** Looks a message up in the current catalog, picks its plural form by `n`, and fills its `{name}` slots. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const lang = locale.value;
  return formOf(CATALOGS[lang][key], lang, params.n).replace(/\{(\w+)\}/g, (slot, name: string) => String(params[name] ?? slot));
}

/** Formats a time for the current language (24-hour, local time zone). */
export function formatTime(iso: string): string {
  return formatter(`time:${locale.value}`, () => new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit', hour12: false })).format(
    new Date(iso),
  );
}

/** Formats a date and time for the current language (month, day, 24-hour time, local time zone). */
export function formatDateTime(iso: string): string {
  return formatter(
    `datetime:${locale.value}`,
    () => new Intl.DateTimeFormat(locale.value, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }),
  ).format(new Date(iso));
}

/**
 * Intl formatters, made once per kind and language: making one costs far more than using it (a
 * replay's marks, formatted on every step of the scrubber, made a long task of it).
 */
const formatters = new Map<string, { format(value: never): string }>();
function formatter<F extends { format(value: never): string }>(key: string, make: () => F): F {
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = make()));
  return made as F;
}

interface DurationParts {
  hours: number;
  minutes: number;
}
/** Intl.DurationFormat (ES2025), where the engine has it; TypeScript 5.9's lib does not know it yet. */
type DurationFormatConstructor = new (locale: string, options: { style: 'short'; minutesDisplay?: 'always' }) => { format(duration: DurationParts): string };
const DurationFormat = (Intl as unknown as { DurationFormat?: DurationFormatConstructor }).DurationFormat;

/**
 * Whole minutes in hours and minutes for the current language ("8小时", "1 hr, 5 min"), never
 * "480 分钟". Node 20 and older phones lack Intl.DurationFormat: there the units are joined as it
 * would join them.
 */
export function formatDuration(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const parts: DurationParts = { hours: Math.floor(total / 60), minutes: total % 60 };
  const lang = locale.value;
  // Zero hours and minutes would format as nothing at all: "0 min" then.
  if (DurationFormat)
    return formatter(
      `duration:${lang}:${total === 0}`,
      () => new DurationFormat(lang, { style: 'short', ...(total === 0 ? { minutesDisplay: 'always' } : {}) }),
    ).format(parts);
  const units = (['hours', 'minutes'] as const)
    .filter((unit, i, all) => parts[unit] > 0 || (i === all.length - 1 && parts.hours === 0))
    .map((unit) =>
      formatter(`unit:${lang}:${unit}`, () => new Intl.NumberFormat(lang, { style: 'unit', unit: unit.slice(0, -1), unitDisplay: 'short' })).format(
        parts[unit],
      ),
    );
  return formatter(`list:${lang}`, () => new Intl.ListFormat(lang, { type: 'unit', style: 'short' })).format(units);
}
