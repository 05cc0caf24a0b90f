import { describeIssues } from '../../domain/protocol/api.js';
import { parseRecord, type SignedRecord } from '../../domain/records.js';
import { hashMatches } from './seal-verifier.js';

// The checks of push that need nothing but the record itself: its schema, its officer, its
// clock, its hash, and the JSON stored for it. A thousand records are some 15 ms of a core, so
// ingest runs them in a worker thread (check-pool.ts) while the event loop stores the batch
// before; the same function runs inline when no worker is at hand.

/** What the record-only checks made of one input: why it is refused (schema, wrong-officer, future-timestamp), or what passed. */
export type RecordCheck =
  | { reason: string }
  | {
      /** The record as its schema gave it, when that is not the very object sent (positions are taken as sent). */
      record?: SignedRecord;
      /** JSON of the object sent, stored verbatim. */
      stored: string;
      /** Whether its hash is SHA-256 of its canonical bytes; a refusal for it waits until its device is known. */
      hashOk: boolean;
    };

/** Checks each input alone, as DESIGN.md's push rules say, for `officerId`'s push with device clocks up to `latest`. */
export function checkRecords(inputs: readonly unknown[], officerId: string, latest: string): RecordCheck[] {
  return inputs.map((input) => {
    const result = parseRecord(input);
    if (!result.success) return { reason: `schema: ${describeIssues(result.issues)}` };
    const record = result.output;
    if (record.officerId !== officerId) return { reason: 'wrong-officer' };
    const fixAt = 'fixAt' in record.body ? record.body.fixAt : record.kind === 'sos' ? record.body.fix?.fixAt : undefined;
    if (record.at > latest || (fixAt !== undefined && fixAt > latest)) return { reason: 'future-timestamp' };
    const raw = input as SignedRecord;
    const takenAsSent = record === input;
    return { ...(takenAsSent ? {} : { record }), stored: JSON.stringify(raw), hashOk: hashMatches(raw, takenAsSent) };
  });
}
