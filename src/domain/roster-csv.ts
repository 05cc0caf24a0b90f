// The roster CSV an admin (or a patrol simulator) imports: `badge,name,role,squad[,simulated]`.
// Parsed here, once, so the server's all-or-nothing import and any tool that writes the file
// agree on what a good row is. Squad codes are checked by the server, which knows the unit.
import * as v from 'valibot';
import { BadgeSchema } from './protocol/auth.js';
import { ROLES, type Role } from './roles.js';

/** One good row of a roster file. */
export interface RosterRow {
  /** 1-based line of the file, header included, as a spreadsheet numbers it. */
  line: number;
  badge: string;
  name: string;
  role: Role;
  /** The squad's code, or null (supervisors and admins may have none). */
  squad: string | null;
  simulated: boolean;
}

/** A bad row and everything wrong with it. */
export interface RosterRowProblems {
  line: number;
  problems: string[];
}

export type RosterParse = { ok: true; rows: RosterRow[] } | { ok: false; message: string; rows: RosterRowProblems[] };

const REQUIRED = ['badge', 'name', 'role', 'squad'] as const;
const OPTIONAL = ['simulated'] as const;
/** Rows a file may hold; a unit's roster is hundreds, a simulator's a few dozen. */
export const MAX_ROSTER_ROWS = 5000;

/** A person's name as the roster shows it. */
export const PersonNameSchema = v.pipe(
  v.string('name must be a string'),
  v.trim(),
  v.minLength(1, 'name is empty'),
  v.maxLength(64, 'name is at most 64 characters'),
);

/**
 * Splits RFC 4180 CSV into records of fields, with the line each record starts on: quoted
 * fields may hold commas, doubled quotes and line breaks; CRLF or LF; a BOM is dropped.
 */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let fieldStarted = false;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: startLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r' && body[i + 1] === '\n') continue;
    else if (c === '\n' || c === '\r') {
      endRecord();
      line++;
      startLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/** Parses a roster file; every bad row is named with all its problems, or all rows are good. */
export function parseRosterCsv(text: string): RosterParse {
  const [header, ...records] = parseCsv(text);
  if (!header) return { ok: false, message: 'the file is empty', rows: [] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = names.filter((n) => !(REQUIRED as readonly string[]).includes(n) && !(OPTIONAL as readonly string[]).includes(n));
  const missing = REQUIRED.filter((n) => !names.includes(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  const headerProblems = [
    ...missing.map((n) => `column ${n} is missing`),
    ...unknown.map((n) => (n === 'password' ? 'a password column is not allowed: new accounts get one-time passwords' : `unknown column ${n || '(empty)'}`)),
    ...twice.map((n) => `column ${n} appears twice`),
  ];
  if (headerProblems.length) return { ok: false, message: `line 1: ${headerProblems.join('; ')}`, rows: [{ line: 1, problems: headerProblems }] };
  if (records.length === 0) return { ok: false, message: 'the file has a header and no rows', rows: [] };
  if (records.length > MAX_ROSTER_ROWS)
    return { ok: false, message: `a roster holds at most ${MAX_ROSTER_ROWS} rows; this one has ${records.length}`, rows: [] };

  const column = (fields: string[], name: string) => {
    const at = names.indexOf(name);
    return at < 0 ? undefined : fields[at];
  };
  const rows: RosterRow[] = [];
  const bad: RosterRowProblems[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of records) {
    const problems: string[] = [];
    if (fields.length !== names.length) problems.push(`has ${fields.length} fields; the header has ${names.length}`);
    const badge = v.safeParse(BadgeSchema, column(fields, 'badge') ?? '');
    if (!badge.success) problems.push(badge.issues[0].message);
    const name = v.safeParse(PersonNameSchema, column(fields, 'name') ?? '');
    if (!name.success) problems.push(name.issues[0].message);
    const role = (column(fields, 'role') ?? '').trim().toLowerCase();
    if (!(ROLES as readonly string[]).includes(role)) problems.push(`role must be one of ${ROLES.join(', ')}`);
    const squad = (column(fields, 'squad') ?? '').trim();
    if (squad === '' && (role === 'officer' || role === 'leader')) problems.push(`a${role === 'officer' ? 'n' : ''} ${role} needs a squad`);
    const simulatedText = (column(fields, 'simulated') ?? '').trim().toLowerCase();
    if (!['', 'true', 'false'].includes(simulatedText)) problems.push('simulated must be true or false');
    if (badge.success) {
      const first = seen.get(badge.output);
      if (first !== undefined) problems.push(`badge ${badge.output} is already on line ${first}`);
      else seen.set(badge.output, line);
    }
    if (problems.length || !badge.success || !name.success) bad.push({ line, problems });
    else rows.push({ line, badge: badge.output, name: name.output, role: role as Role, squad: squad || null, simulated: simulatedText === 'true' });
  }
  if (bad.length) return { ok: false, message: `${bad.length} bad row${bad.length === 1 ? '' : 's'}, nothing imported`, rows: bad };
  return { ok: true, rows };
}
