import { signal } from '@preact/signals';
import type { PasswordRules } from '../../../domain/password-rules.js';
import type { OneTimePassword, PasswordRulesResponse, RosterImportOutcome, RosterResponse, UnitResponse } from '../../../domain/protocol/accounts.js';
import type { LocalName } from '../../../domain/checkpoints.js';
import type { Role } from '../../../domain/roles.js';
import { api } from '../../../store/api.js';

// The admin's accounts desk talks to the server directly (admins work online), like admin-store.ts:
// what the server last answered, reloaded after every change.

/** The unit's squads and people as the server last listed them. */
export const accounts = signal<RosterResponse | null>(null);
/** One-time passwords made by the last create, reset or import: shown once, then gone. */
export const oneTimePasswords = signal<readonly OneTimePassword[]>([]);

const userPath = (id: string, tail = '') => `/api/admin/users/${encodeURIComponent(id)}${tail}`;

export async function loadAccounts(): Promise<void> {
  accounts.value = await api<RosterResponse>('/api/admin/users');
}

export interface UserFields {
  name: string;
  role: Role;
  squadId: string | null;
}

export async function createUser(badge: string, fields: UserFields): Promise<void> {
  const made = await api<OneTimePassword>('/api/admin/users', { method: 'POST', body: { badge, ...fields } });
  oneTimePasswords.value = [made];
  await loadAccounts();
}

/** Name, role and squad together: a move is an edit of the squad. */
export async function editUser(id: string, fields: UserFields): Promise<void> {
  await api(userPath(id), { method: 'PUT', body: fields });
  await loadAccounts();
}

export async function setDisabled(id: string, disabled: boolean): Promise<void> {
  await api(userPath(id, '/disabled'), { method: 'POST', body: { disabled } });
  await loadAccounts();
}

export async function resetPassword(id: string): Promise<void> {
  oneTimePasswords.value = [await api<OneTimePassword>(userPath(id, '/password-reset'), { method: 'POST' })];
}

/** Sends a roster CSV as it is; the server takes every row or none (an ApiError names the bad rows). */
export async function importRoster(csv: string): Promise<RosterImportOutcome> {
  const outcome = await api<RosterImportOutcome>('/api/admin/roster', {
    method: 'POST',
    text: { type: 'text/csv; charset=utf-8', content: csv },
    timeoutMs: 120_000,
  });
  oneTimePasswords.value = outcome.created;
  await loadAccounts();
  return outcome;
}

export async function createSquad(code: string, name: LocalName): Promise<void> {
  await api('/api/admin/squads', { method: 'POST', body: { code, name } });
  await loadAccounts();
}

export async function renameSquad(id: string, name: LocalName): Promise<void> {
  await api(`/api/admin/squads/${encodeURIComponent(id)}`, { method: 'PUT', body: { name } });
  await loadAccounts();
}

/** The admin's own unit and its names. */
export async function loadUnit(): Promise<UnitResponse> {
  return api<UnitResponse>('/api/admin/unit');
}

/** Renames the admin's own unit; answers the names as stored (trimmed). */
export async function renameUnit(name: LocalName): Promise<UnitResponse> {
  return api<UnitResponse>('/api/admin/unit', { method: 'PUT', body: { name } });
}

export async function loadPasswordRules(): Promise<PasswordRules> {
  return (await api<PasswordRulesResponse>('/api/admin/password-rules')).rules;
}

export async function savePasswordRules(rules: PasswordRules): Promise<PasswordRules> {
  return (await api<PasswordRulesResponse>('/api/admin/password-rules', { method: 'PUT', body: rules })).rules;
}
