// The roster CSV an admin (or a patrol simulator) imports: `badge,name,role,squad[,simulated]`.
// Parsed here, once, so the server's all-or-nothing import and any tool that writes the file
// agree on what a good row is. Squad codes are checked by the server, which knows the unit.
import * as v from 'valibot';
import { BadgeSchema } from './protocol/auth.js';
import { ROLES, type Role } from './roles.js';

/** One good row of a roster file. */
interface RosterRow {
  /** 1-based line of the file, header included, as a spreadsheet numbers it. */
  line: number;
  badge: string;
  name: string;
  role: Role;
  /** The squad's code, or null (supervisors and admins may have none). */
  squad: string | null;
  simulated: boolean;
}

/** One thing wrong with a row (line 1: the header), as a code the app words in its language. */
export type RosterProblem =
  | { code: 'missing-column' | 'unknown-column' | 'column-twice'; column: string }
  | { code: 'password-column' | 'badge' | 'name-empty' | 'name-long' | 'role' | 'simulated' | 'own-admin' }
  | { code: 'field-count'; have: number; want: number }
  | { code: 'needs-squad'; role: string }
  | { code: 'duplicate'; badge: string; first: number }
  | { code: 'unknown-squad'; squad: string }
  | { code: 'foreign-badge'; badge: string };

/** The English text of a problem: the API's `problems`, for callers that are not the app. */
function rosterProblemText(p: RosterProblem): string {
  switch (p.code) {
    case 'missing-column':
      return `column ${p.column} is missing`;
    case 'unknown-column':
      return `unknown column ${p.column || '(empty)'}`;
    case 'column-twice':
      return `column ${p.column} appears twice`;
    case 'password-column':
      return 'a password column is not allowed: new accounts get one-time passwords';
    case 'field-count':
      return `has ${p.have} fields; the header has ${p.want}`;
    case 'badge':
      return 'badge must be 2–16 letters or digits';
    case 'name-empty':
      return 'name is empty';
    case 'name-long':
      return 'name is at most 64 characters';
    case 'role':
      return `role must be one of ${ROLES.join(', ')}`;
    case 'needs-squad':
      return `a${p.role === 'officer' ? 'n' : ''} ${p.role} needs a squad`;
    case 'simulated':
      return 'simulated must be true or false';
    case 'duplicate':
      return `badge ${p.badge} is already on line ${p.first}`;
    case 'unknown-squad':
      return `squad ${p.squad} is not a squad code of your unit`;
    case 'foreign-badge':
      return `badge ${p.badge} belongs to another unit`;
    case 'own-admin':
      return 'an admin cannot take their own admin role away';
  }
}

/** A bad row and everything wrong with it: as codes, and as English text. */
export interface RosterRowProblems {
  line: number;
  problems: string[];
  codes: RosterProblem[];
}

/** A bad row from its problems. */
export function badRow(line: number, codes: RosterProblem[]): RosterRowProblems {
  return { line, problems: codes.map(rosterProblemText), codes };
}

export type RosterParse = { ok: true; rows: RosterRow[] } | { ok: false; message: string; rows: RosterRowProblems[] };

const REQUIRED = ['badge', 'name', 'role', 'squad'] as const;
const OPTIONAL = ['simulated'] as const;
/** Rows a file may hold; a unit's roster is hundreds, a simulator's a few dozen. */
const MAX_ROSTER_ROWS = 5000;

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
  const headerProblems: RosterProblem[] = [
    ...missing.map((column) => ({ code: 'missing-column' as const, column })),
    ...unknown.map((column) => (column === 'password' ? { code: 'password-column' as const } : { code: 'unknown-column' as const, column })),
    ...twice.map((column) => ({ code: 'column-twice' as const, column })),
  ];
  if (headerProblems.length) {
    const row = badRow(1, headerProblems);
    return { ok: false, message: `line 1: ${row.problems.join('; ')}`, rows: [row] };
  }
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
    const problems: RosterProblem[] = [];
    if (fields.length !== names.length) problems.push({ code: 'field-count', have: fields.length, want: names.length });
    const badge = v.safeParse(BadgeSchema, column(fields, 'badge') ?? '');
    if (!badge.success) problems.push({ code: 'badge' });
    const nameText = (column(fields, 'name') ?? '').trim();
    const name = v.safeParse(PersonNameSchema, nameText);
    if (!name.success) problems.push({ code: nameText === '' ? 'name-empty' : 'name-long' });
    const role = (column(fields, 'role') ?? '').trim().toLowerCase();
    if (!(ROLES as readonly string[]).includes(role)) problems.push({ code: 'role' });
    const squad = (column(fields, 'squad') ?? '').trim();
    if (squad === '' && (role === 'officer' || role === 'leader')) problems.push({ code: 'needs-squad', role });
    const simulatedText = (column(fields, 'simulated') ?? '').trim().toLowerCase();
    if (!['', 'true', 'false'].includes(simulatedText)) problems.push({ code: 'simulated' });
    if (badge.success) {
      const first = seen.get(badge.output);
      if (first !== undefined) problems.push({ code: 'duplicate', badge: badge.output, first });
      else seen.set(badge.output, line);
    }
    if (problems.length || !badge.success || !name.success) bad.push(badRow(line, problems));
    else rows.push({ line, badge: badge.output, name: name.output, role: role as Role, squad: squad || null, simulated: simulatedText === 'true' });
  }
  if (bad.length) return { ok: false, message: `${bad.length} bad row${bad.length === 1 ? '' : 's'}, nothing imported`, rows: bad };
  return { ok: true, rows };
}
