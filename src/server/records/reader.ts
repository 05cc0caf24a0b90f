import type { Kysely } from 'kysely';
import { describeIssues } from '../../domain/protocol/api.js';
import { parseRecord, type RecordKind, type RecordOf, type SignedRecord } from '../../domain/records.js';
import type { Tables } from '../db/schema.js';

// The one way the server reads its stored evidence back: through the same schemas that admitted
// it at push. WARNING: those schemas must keep accepting every record ever stored (add kinds and
// optional fields; never narrow), or old evidence turns unreadable.

/** A stored record that no longer passes its schema: altered in the database, or not JSON at all. */
interface UnreadableRecord {
  id: string;
  reason: string;
}

/** Where a reader reports unreadable records: they are skipped, never cast, never a 500. */
export type UnreadableSink = (problem: UnreadableRecord) => void;

/** The stored text of one record, parsed and validated, or why it is not a record any more. */
export function parseStored(text: string): { record: SignedRecord } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const result = parseRecord(json);
  if (!result.success) return { reason: `schema: ${describeIssues(result.issues)}` };
  return { record: result.output };
}

/** Rows of `records` as typed records, in the rows' order; unreadable ones go to `onUnreadable`. */
export function readRows(rows: ReadonlyArray<{ id: string; record: string }>, onUnreadable: UnreadableSink): SignedRecord[] {
  const records: SignedRecord[] = [];
  for (const row of rows) {
    const parsed = parseStored(row.record);
    if ('record' in parsed) records.push(parsed.record);
    else onUnreadable({ id: row.id, reason: parsed.reason });
  }
  return records;
}

/** The records of one kind among `records`. */
export function ofKind<K extends RecordKind>(records: readonly SignedRecord[], kind: K): Array<RecordOf<K>> {
  return records.filter((r): r is RecordOf<K> => r.kind === kind);
}

/** Check-ins of `officerIds` written (device time) in [from, to]. */
export async function readCheckins(
  db: Kysely<Tables>,
  officerIds: readonly string[],
  from: string,
  to: string,
  onUnreadable: UnreadableSink,
): Promise<Array<RecordOf<'checkin'>>> {
  if (officerIds.length === 0) return [];
  const rows = await db
    .selectFrom('records')
    .select(['id', 'record'])
    .where('officer_id', 'in', officerIds)
    .where('kind', '=', 'checkin')
    .where('at', '>=', from)
    .where('at', '<=', to)
    .execute();
  return ofKind(readRows(rows, onUnreadable), 'checkin');
}
