import { describe, expect, it } from 'vitest';
import { passwordProblems, DEFAULT_PASSWORD_RULES } from '../../../src/domain/password-rules.js';
import { parseCsv, parseRosterCsv } from '../../../src/domain/roster-csv.js';

describe('roster CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM, numbering lines as a spreadsheet does', () => {
    const text = '\uFEFFbadge,name\r\nJ1,"欧阳, ""小"" 明"\r\nJ2,"two\nlines"\r\nJ3,plain\r\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['badge', 'name'] },
      { line: 2, fields: ['J1', '欧阳, "小" 明'] },
      { line: 3, fields: ['J2', 'two\nlines'] },
      { line: 5, fields: ['J3', 'plain'] },
    ]);
  });

  it('upper-cases badges, reads roles and the simulated mark, and lets supervisors and admins have no squad', () => {
    const parsed = parseRosterCsv('Badge,Name,Role,Squad,Simulated\nj7,甲,officer,a,TRUE\nS9,乙,supervisor,,\n');
    expect(parsed).toEqual({
      ok: true,
      rows: [
        { line: 2, badge: 'J7', name: '甲', role: 'officer', squad: 'a', simulated: true },
        { line: 3, badge: 'S9', name: '乙', role: 'supervisor', squad: null, simulated: false },
      ],
    });
  });

  it('names every problem of every bad row, and of the header', () => {
    const parsed = parseRosterCsv('badge,name,role,squad\nJ1,,officer,A\nJ1!,甲,boss,\nJ1,乙,leader,A\n');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.rows.map((r) => [r.line, r.codes.map((c) => c.code)])).toEqual([
      [2, ['name-empty']],
      [3, ['badge', 'role']],
      [4, ['duplicate']],
    ]);
    const header = parseRosterCsv('badge,name,password\nJ1,甲,x\n');
    expect(!header.ok && header.rows[0]?.codes).toEqual([
      { code: 'missing-column', column: 'role' },
      { code: 'missing-column', column: 'squad' },
      { code: 'password-column' },
    ]);
  });
});

describe('password rules', () => {
  it('refuse short passwords, the badge with a little padding, and common ones; allow a long phrase', () => {
    const rules = DEFAULT_PASSWORD_RULES;
    expect(passwordProblems('short', 'J001', rules)).toEqual(['too-short']);
    expect(passwordProblems('J001J001J001', 'J001', rules)).toEqual(['is-badge']);
    expect(passwordProblems('j-001-j-001!', 'J001', rules)).toEqual(['is-badge']);
    expect(passwordProblems('qwertyuiop', 'J001', rules)).toEqual(['common']);
    expect(passwordProblems('river lantern 2026', 'J001', rules)).toEqual([]);
    // A password that merely contains the badge among much else is fine.
    expect(passwordProblems('J001 walks the river at night', 'J001', rules)).toEqual([]);
    expect(passwordProblems('qwertyuiop', 'J001', { ...rules, notCommon: false })).toEqual([]);
  });
});
