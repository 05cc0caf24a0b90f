import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../../src/domain/protocol/api.js';
import { LoginRequestSchema, SessionUserSchema } from '../../../../src/domain/protocol/auth.js';
import { homePath, isRole, ROLES } from '../../../../src/domain/roles.js';

describe('login request', () => {
  it('normalises a badge to trimmed upper case', () => {
    expect(v.parse(LoginRequestSchema, { badge: ' j001 ', password: 'p' })).toEqual({ badge: 'J001', password: 'p' });
  });

  it('rejects badges that are not 2–16 letters or digits, naming the field', () => {
    for (const badge of ['', 'J', 'J-001', 'J001; drop table users', 'A'.repeat(17)]) {
      const result = v.safeParse(LoginRequestSchema, { badge, password: 'p' });
      expect(result.success, badge).toBe(false);
      if (!result.success) expect(describeIssues(result.issues)).toMatch(/^badge: /);
    }
  });

  it('rejects an empty or absurdly long password and unknown fields', () => {
    const bad = [
      { badge: 'J001', password: '' },
      { badge: 'J001', password: 'x'.repeat(257) },
      { badge: 'J001', password: 'p', role: 'admin' },
    ];
    for (const body of bad) expect(v.safeParse(LoginRequestSchema, body).success, JSON.stringify(body)).toBe(false);
  });

  it('describes a non-object body without a path', () => {
    const result = v.safeParse(LoginRequestSchema, 'J001');
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.issues)).toMatch(/badge, password/);
  });
});

describe('roles', () => {
  it('knows exactly the four roles and gives each its own home', () => {
    expect(ROLES).toEqual(['officer', 'leader', 'supervisor', 'admin']);
    expect(new Set(ROLES.map(homePath)).size).toBe(4);
    expect(homePath('leader')).toBe('/leader');
  });

  it('guards role names read from storage', () => {
    expect(isRole('supervisor')).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });

  it('refuses a stored user whose role is unknown', () => {
    const user = { id: 'u', badge: 'J001', name: 'n', role: 'root', unitId: 'x', squadId: null };
    expect(v.safeParse(SessionUserSchema, user).success).toBe(false);
    expect(v.safeParse(SessionUserSchema, { ...user, role: 'officer' }).success).toBe(true);
  });
});
