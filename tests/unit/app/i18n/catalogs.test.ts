import { describe, expect, it } from 'vitest';
import { en } from '../../../../src/app/i18n/en.js';
import { zhCN, type Message } from '../../../../src/app/i18n/zh-CN.js';

const slots = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
/** Every form of a message: one, or one per plural category. */
const forms = (message: Message): string[] => (typeof message === 'string' ? [message] : Object.values(message));
const other = (message: Message) => (typeof message === 'string' ? message : message.other);

describe('message catalogs', () => {
  it('have the same keys in zh-CN and en', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('use the same {slots} and list lengths in both languages', () => {
    for (const key of Object.keys(zhCN) as Array<keyof typeof zhCN>) {
      expect(slots(other(en[key])), key).toEqual(slots(zhCN[key]));
      // A singular form may spell its count out ("1 fix") but never needs a slot the other lacks.
      for (const form of forms(en[key])) for (const slot of slots(form)) expect(slots(zhCN[key]), key).toContain(slot);
      for (const form of forms(en[key])) expect(form.split('|').length, key).toBe(zhCN[key].split('|').length);
    }
  });

  it('pick plural forms by a count named n', () => {
    for (const [key, message] of Object.entries(en)) if (typeof message !== 'string') expect(slots(message.other), key).toContain('n');
  });

  it('have no empty messages', () => {
    for (const [key, message] of [...Object.entries(zhCN), ...Object.entries(en)]) for (const form of forms(message)) expect(form.trim(), key).not.toBe('');
  });
});
