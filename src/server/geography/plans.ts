import { sql, type Kysely } from 'kysely';
import * as v from 'valibot';
import { PlanSchema } from '../../domain/checkpoints.js';
import type { Tables } from '../db/schema.js';

const CheckpointIdsSchema = PlanSchema.entries.checkpointIds;

/** The live plans of `unitId` that name checkpoint `id`: what stops it being deleted. */
export async function livePlansNaming(db: Kysely<Tables>, unitId: string, id: string): Promise<Array<{ id: string; name: string }>> {
  // checkpoint_ids is a JSON array of quoted ids: LIKE finds the candidates without reading every
  // plan (portable to SQLite and PostgreSQL), and the parsed list confirms each one.
  const pattern = `%${JSON.stringify(id).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db
    .selectFrom('plans')
    .innerJoin('squads', 'squads.id', 'plans.squad_id')
    .select(['plans.id', 'plans.name_zh', 'plans.checkpoint_ids'])
    .where('squads.unit_id', '=', unitId)
    .where('plans.deleted', '=', 0)
    .where(sql<boolean>`plans.checkpoint_ids like ${pattern} escape '\\'`)
    .execute();
  return rows.flatMap((row) => {
    const ids = v.safeParse(CheckpointIdsSchema, safeJson(row.checkpoint_ids));
    // A list that no longer parses still names the id as far as we can tell: refuse rather than orphan.
    return !ids.success || ids.output.includes(id) ? [{ id: row.id, name: row.name_zh }] : [];
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
