import { computed, signal, type Signal } from '@preact/signals';
import * as v from 'valibot';
import { CheckpointSchema, PlanSchema, ZoneSchema, type Checkpoint, type Plan, type Zone } from '../../domain/checkpoints.js';
import { CheckinVerdictSchema, type CheckinVerdict } from '../../domain/protocol/compliance.js';
import { SquadMemberSchema, type SquadMember } from '../../domain/protocol/sync.js';
import { ControlPointSchema, type ControlPoint } from '../../domain/protocol/lockdown.js';
import { TaskSchema, type Task } from '../../domain/tasks.js';
import { IncidentCategorySchema, IncidentSettingsSchema, mergeTaxonomy, type IncidentCategory, type IncidentSettings } from '../../domain/incidents.js';
import { SosAlertSchema, type SosAlert } from '../../domain/protocol/squad.js';
import { IncidentDetailSchema, type IncidentDetailResponse } from '../../domain/protocol/incidents.js';
import type { LocalEntry } from '../../store/schema.js';
import { readLocal } from '../../store/sealed-reads.js';
import { deviceDb } from './db.js';

// The local copies of what pull delivered, read through their domain schemas in this one place:
// the map, the shift form, the check-in list and the patrol session all read these signals. A copy
// that does not match its schema is skipped and logged, never cast.

/** The zones the officer's squad patrols. */
export const zones = signal<readonly Zone[]>([]);
/** The checkpoints of those zones: what the geofence watches and the map draws. */
export const checkpoints = signal<readonly Checkpoint[]>([]);
/** The plans of the squad: which checkpoints a shift must visit, and how often. */
export const plans = signal<readonly Plan[]>([]);
/** The people of the squad, the choices of shift members. */
export const squadMembers = signal<readonly SquadMember[]>([]);
/** The server's verdicts on this officer's recent check-ins, by check-in record id. */
export const checkinVerdicts = signal<readonly CheckinVerdict[]>([]);
/** The unit's control points (卡口), where a lockdown posts its officers. */
export const controlPoints = signal<readonly ControlPoint[]>([]);
/** The officer's tasks, each with the server's verdict on every update made to it. */
export const tasks = signal<readonly Task[]>([]);
/** The officer's own SOS alerts of the last day, as the server has them (who acknowledged). */
export const sosAlerts = signal<readonly SosAlert[]>([]);
/** The unit's own incident categories, and the built-in ones it hides, as pull delivered them. */
const unitCategories = signal<readonly IncidentCategory[]>([]);
/** The unit's whole incident taxonomy, built-in categories first: what the report form offers (those not hidden) and names by. */
export const taxonomy = computed(() => mergeTaxonomy(unitCategories.value));
/** The unit's incident settings as pull delivered them (none until its admin has chosen). */
const unitSettings = signal<readonly IncidentSettings[]>([]);
/** The report form asks for people's identity numbers: the unit's admin turned them on. */
export const idNumbersOn = computed(() => unitSettings.value[0]?.idNumbers ?? false);
/** The incidents the officer reported, updated or was sent to, as the server has them: with what others did on them. */
export const fieldIncidents = signal<readonly IncidentDetailResponse[]>([]);

/**
 * Re-reads this officer's local copies (on sign-in, and after each pull); null forgets them (signed
 * out). A list whose content did not change keeps its identity, so nothing that reads it redraws.
 */
export async function loadLocalCopies(officerId: string | null): Promise<void> {
  await Promise.all([
    read(officerId, 'zone', ZoneSchema, zones),
    read(officerId, 'checkpoint', CheckpointSchema, checkpoints),
    read(officerId, 'plan', PlanSchema, plans),
    read(officerId, 'squad-member', SquadMemberSchema, squadMembers),
    read(officerId, 'checkin-verdict', CheckinVerdictSchema, checkinVerdicts),
    read(officerId, 'task', TaskSchema, tasks),
    read(officerId, 'control-point', ControlPointSchema, controlPoints),
    read(officerId, 'sos', SosAlertSchema, sosAlerts),
    // Pull adds the code as `id` to every copy: an object schema reads past it.
    read(officerId, 'incident-category', v.object(IncidentCategorySchema.entries), unitCategories),
    read(officerId, 'incident-settings', v.object(IncidentSettingsSchema.entries), unitSettings),
    read(officerId, 'incident', IncidentDetailSchema, fieldIncidents),
  ]);
}

async function read<S extends v.GenericSchema>(
  officerId: string | null,
  entity: LocalEntry['entity'],
  schema: S,
  target: Signal<ReadonlyArray<v.InferOutput<S>>>,
): Promise<void> {
  const entries = officerId ? await readLocal(await deviceDb, officerId, entity) : [];
  const next = entries.flatMap((entry) => {
    const parsed = v.safeParse(schema, entry.data);
    if (parsed.success) return [parsed.output];
    console.error(`local ${entity} copy ${entry.id} does not match its schema; skipped`, v.flatten(parsed.issues));
    return [];
  });
  if (JSON.stringify(next) !== JSON.stringify(target.peek())) target.value = next;
}
