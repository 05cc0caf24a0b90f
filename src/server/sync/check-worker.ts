import { answerTasks, CHECK_WORKER_NICE, setThreadNice } from '../threads.js';
import { checkRecords } from './record-checks.js';

// A check-pool worker: one batch of record-only checks per task.

/** A batch's records, or the push body's JSON text holding them. */
export type CheckTask = ({ records: unknown[] } | { text: string }) & { officerId: string; latest: string };

// The event loop and sign-ins' hashing win a busy core from it.
setThreadNice(CHECK_WORKER_NICE);

answerTasks((task: CheckTask) => {
  // The event loop parsed the same text, found { records: [...] } in it, and holds these records by the same index.
  const records = 'text' in task ? (JSON.parse(withoutByteOrderMark(task.text)) as { records: unknown[] }).records : task.records;
  return checkRecords(records, task.officerId, task.latest);
});

/** Fastify's JSON parser (secure-json-parse) skips a leading byte-order mark, which JSON.parse refuses. */
function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
