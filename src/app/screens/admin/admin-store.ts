import { signal } from '@preact/signals';
import type { Checkpoint, LocalName, Plan } from '../../../domain/checkpoints.js';
import type { ControlPoint } from '../../../domain/control-points.js';
import type {
  AdminCheckpointsResponse,
  AdminControlPointsResponse,
  AdminPlansResponse,
  AdminSquad,
  AdminZone,
  AdminZonesResponse,
  ImportOutcome,
} from '../../../domain/protocol/admin.js';
import { api } from '../../../store/api.js';
import { locale } from '../../i18n/index.js';

// The admin edits the server's copy directly (admins work online, at a desk), so this store
// holds what the admin API last answered, not the device's pulled copies, and reloads after
// every change so the screen never shows an edit the server refused.

/** The unit's squads, zones, checkpoints, plans and control points as the server last listed them. */
export const squads = signal<readonly AdminSquad[]>([]);
export const zones = signal<readonly AdminZone[]>([]);
export const checkpoints = signal<readonly Checkpoint[]>([]);
export const plans = signal<readonly Plan[]>([]);
export const controlPoints = signal<readonly ControlPoint[]>([]);

/** An import can carry thousands of polygons; give the server longer than a normal call. */
const IMPORT_TIMEOUT_MS = 120_000;

const cpPath = (id: string) => `/api/admin/checkpoints/${encodeURIComponent(id)}`;
const planPath = (id: string) => `/api/admin/plans/${encodeURIComponent(id)}`;
const zonePath = (id: string) => `/api/admin/zones/${encodeURIComponent(id)}`;
const controlPointPath = (id: string) => `/api/admin/control-points/${encodeURIComponent(id)}`;

/** Loads everything the admin screen shows. */
export async function loadAdminData(abort?: AbortSignal): Promise<void> {
  const init = abort ? { signal: abort } : {};
  const [geography, cps, ps, ctls] = await Promise.all([
    api<AdminZonesResponse>('/api/admin/zones', init),
    api<AdminCheckpointsResponse>('/api/admin/checkpoints', init),
    api<AdminPlansResponse>('/api/admin/plans', init),
    api<AdminControlPointsResponse>('/api/admin/control-points', init),
  ]);
  squads.value = geography.squads;
  zones.value = geography.zones;
  checkpoints.value = cps.checkpoints;
  plans.value = ps.plans;
  controlPoints.value = ctls.controlPoints;
}

async function reloadZones(): Promise<void> {
  const geography = await api<AdminZonesResponse>('/api/admin/zones');
  squads.value = geography.squads;
  zones.value = geography.zones;
}

/** Creates (POST) or replaces (PUT) a zone; answers the server's copy. */
export async function saveZone(zone: AdminZone, isNew: boolean): Promise<AdminZone> {
  const saved = await api<{ zone: AdminZone }>(isNew ? '/api/admin/zones' : zonePath(zone.id), { method: isNew ? 'POST' : 'PUT', body: zone });
  await reloadZones();
  return saved.zone;
}

/** Deletes a zone; the server refuses (409) while checkpoints are in it. */
export async function deleteZone(id: string): Promise<void> {
  await api<null>(zonePath(id), { method: 'DELETE' });
  await reloadZones();
}

/** Sends a parsed GeoJSON file of zones; all or nothing on the server. */
export async function importZones(collection: unknown): Promise<ImportOutcome> {
  const outcome = await api<ImportOutcome>('/api/admin/zones/import', { method: 'POST', body: collection, timeoutMs: IMPORT_TIMEOUT_MS });
  await reloadZones();
  return outcome;
}

async function reloadCheckpoints(): Promise<void> {
  checkpoints.value = (await api<AdminCheckpointsResponse>('/api/admin/checkpoints')).checkpoints;
}

async function reloadPlans(): Promise<void> {
  plans.value = (await api<AdminPlansResponse>('/api/admin/plans')).plans;
}

/** Creates (POST) or replaces (PUT) a checkpoint; answers the server's copy. */
export async function saveCheckpoint(checkpoint: Checkpoint, isNew: boolean): Promise<Checkpoint> {
  const saved = await api<{ checkpoint: Checkpoint }>(isNew ? '/api/admin/checkpoints' : cpPath(checkpoint.id), {
    method: isNew ? 'POST' : 'PUT',
    body: checkpoint,
  });
  await reloadCheckpoints();
  return saved.checkpoint;
}

/** Deletes a checkpoint; the server refuses (409) while a plan lists it. */
export async function deleteCheckpoint(id: string): Promise<void> {
  await api<null>(cpPath(id), { method: 'DELETE' });
  await reloadCheckpoints();
}

/** Sends a parsed GeoJSON file; all or nothing on the server. */
export async function importCheckpoints(collection: unknown): Promise<ImportOutcome> {
  const outcome = await api<ImportOutcome>('/api/admin/checkpoints/import', { method: 'POST', body: collection, timeoutMs: IMPORT_TIMEOUT_MS });
  await reloadCheckpoints();
  return outcome;
}

export async function savePlan(plan: Plan, isNew: boolean): Promise<Plan> {
  const saved = await api<{ plan: Plan }>(isNew ? '/api/admin/plans' : planPath(plan.id), { method: isNew ? 'POST' : 'PUT', body: plan });
  await reloadPlans();
  return saved.plan;
}

export async function deletePlan(id: string): Promise<void> {
  await api<null>(planPath(id), { method: 'DELETE' });
  await reloadPlans();
}

async function reloadControlPoints(): Promise<void> {
  controlPoints.value = (await api<AdminControlPointsResponse>('/api/admin/control-points')).controlPoints;
}

/** Creates (POST) or replaces (PUT) a control point; answers the server's copy. */
export async function saveControlPoint(point: ControlPoint, isNew: boolean): Promise<ControlPoint> {
  const saved = await api<{ controlPoint: ControlPoint }>(isNew ? '/api/admin/control-points' : controlPointPath(point.id), {
    method: isNew ? 'POST' : 'PUT',
    body: point,
  });
  await reloadControlPoints();
  return saved.controlPoint;
}

/** Deletes a control point; the server refuses (409) while a lockdown mans it. */
export async function deleteControlPoint(id: string): Promise<void> {
  await api<null>(controlPointPath(id), { method: 'DELETE' });
  await reloadControlPoints();
}

/** Sends a parsed GeoJSON file of control points; all or nothing on the server. */
export async function importControlPoints(collection: unknown): Promise<ImportOutcome> {
  const outcome = await api<ImportOutcome>('/api/admin/control-points/import', { method: 'POST', body: collection, timeoutMs: IMPORT_TIMEOUT_MS });
  await reloadControlPoints();
  return outcome;
}

/** A two-language name in the current UI language. */
export function localName(name: LocalName): string {
  return name[locale.value];
}
