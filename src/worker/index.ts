/// <reference lib="webworker" />
import { expose } from 'comlink';
import { auditService } from './audit-service.js';
import { outlineService } from './outline-service.js';
import { patrolService } from './patrol-service.js';
import { photoService } from './photo-service.js';

// The worker's one services object; the app imports only its type (src/app/worker-bridge.ts).
// Flat, because comlink types only top-level members as remote calls.
const services = { ...patrolService, ...outlineService, ...auditService, ...photoService };

/** What the main thread may call, typed end to end through comlink. */
export type WorkerApi = typeof services;

expose(services);
