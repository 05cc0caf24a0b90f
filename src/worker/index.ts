/// <reference lib="webworker" />
import { expose } from 'comlink';
import { geofenceService } from './geofence-service.js';
import { outlineService } from './outline-service.js';
import { trackingService } from './tracking-service.js';

// The worker's one services object; the app imports only its type (src/app/worker-bridge.ts).
// Flat, because comlink types only top-level members as remote calls.
const services = { ...trackingService, ...geofenceService, ...outlineService };

/** What the main thread may call, typed end to end through comlink. */
export type WorkerApi = typeof services;

expose(services);
