import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './schema.js';

/**
 * Reserves `count` consecutive values of the `changes` counter and returns the first.
 * WARNING: call inside the writing transaction; the counter row's lock then makes versions
 * commit in order, which is what lets a pull cursor never skip a change.
 */
export async function reserveVersions(trx: Transaction<Tables> | Kysely<Tables>, count = 1): Promise<number> {
  const row = await trx
    .updateTable('sync_counters')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', 'changes')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value) - count + 1;
}
