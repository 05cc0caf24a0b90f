import type { Kysely, Selectable, Transaction } from 'kysely';
import { mergeTaxonomy, type IncidentCategory, type IncidentSettings } from '../../domain/incidents.js';
import type { IncidentCategoryTable, Tables } from '../db/schema.js';

// A unit's incident taxonomy (issue 15): the built-in categories, which it may hide from new
// reports, and its own, which its admin adds (migration 0022, incident_categories). Reports are
// checked against it, the safety index counts by it, and devices get it through pull. Beside it,
// the unit's incident settings: whether people's identity numbers are recorded.

type Db = Kysely<Tables> | Transaction<Tables>;

/** A stored row as a category (for a built-in code only `hidden` is read: mergeTaxonomy). */
export function categoryFromRow(row: Selectable<IncidentCategoryTable>): IncidentCategory {
  return {
    code: row.code,
    group: row.index_group as IncidentCategory['group'],
    preventable: Number(row.preventable) === 1,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    hidden: Number(row.hidden) === 1,
  };
}

/** The unit's whole taxonomy, built-in categories first, its own after them by code (as a device holds its pulled copies). */
export async function unitTaxonomy(db: Db, unitId: string): Promise<IncidentCategory[]> {
  const rows = await db.selectFrom('incident_categories').selectAll().where('unit_id', '=', unitId).execute();
  // Sorted here, not by the database: SQLite and PostgreSQL collate text differently.
  const byCode = rows.map(categoryFromRow).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return mergeTaxonomy(byCode);
}

/** Of these category codes, those the unit's taxonomy knows (hidden ones too: a report written before the hiding stands). */
export async function knownCategoryCodes(db: Db, unitId: string, codes: readonly string[]): Promise<Set<string>> {
  return new Set((await unitTaxonomy(db, unitId)).map((c) => c.code).filter((code) => codes.includes(code)));
}

/**
 * The unit's incident settings: its admin's choice, or where none was made the server's default
 * (INCIDENT_ID_NUMBERS, `serverDefault`).
 */
export async function unitIncidentSettings(db: Db, unitId: string, serverDefault: boolean): Promise<IncidentSettings> {
  const row = await db.selectFrom('units').select('incident_id_numbers').where('id', '=', unitId).executeTakeFirst();
  const chosen = row?.incident_id_numbers;
  return { idNumbers: chosen === null || chosen === undefined ? serverDefault : Number(chosen) === 1 };
}
