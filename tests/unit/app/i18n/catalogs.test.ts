import { describe, expect, it } from 'vitest';
import { en } from '../../../../src/app/i18n/en.js';
import { zhCN } from '../../../../src/app/i18n/zh-CN.js';

const slots = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('have the same keys in zh-CN and en', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('use the same {slots} and list lengths in both languages', () => {
    for (const key of Object.keys(zhCN) as Array<keyof typeof zhCN>) {
      expect(slots(en[key]), key).toEqual(slots(zhCN[key]));
      expect(en[key].split('|').length, key).toBe(zhCN[key].split('|').length);
    }
  });

  it('have no empty messages', () => {
    for (const [key, text] of [...Object.entries(zhCN), ...Object.entries(en)]) expect(text.trim(), key).not.toBe('');
  });
});
