import { wrap, type Remote } from 'comlink';
import type { WorkerApi } from '../worker/index.js';

let api: Remote<WorkerApi> | null = null;

/** The comlink worker, started on first use so the first paint does not wait for it. */
export function worker(): Remote<WorkerApi> {
  api ??= wrap<WorkerApi>(new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'xunfang' }));
  return api;
}
