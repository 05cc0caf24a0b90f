import * as v from 'valibot';
import { describeIssues } from '../domain/protocol/api.js';
import { HttpError } from './errors.js';

/** Parses a request part with a domain schema, or throws a 400 naming the first bad field. */
export function parseOr400<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new HttpError(400, 'bad-request', describeIssues(result.issues));
  return result.output;
}
