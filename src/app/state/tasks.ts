import { computed, signal } from '@preact/signals';
import type { PatrolRecord, TaskPlace } from '../../domain/patrol-session.js';
import type { BodyOf } from '../../domain/records.js';
import { compareTasks, type Task, type TaskState, type TaskUpdateState } from '../../domain/tasks.js';
import { listWaiting } from '../../store/outbox-store.js';
import { readMeta, writeSealedMeta } from '../../store/sealed-reads.js';
import { t } from '../i18n/index.js';
import { deviceDb } from './db.js';
import { tasks } from './local-copies.js';
import { notify, reportError } from './notices.js';
import { record } from './records.js';

// The officer's tasks: what pull delivered (the server's word, with its verdict on every update)
// and what this device has said since and not yet sent (the outbox), shown together.

/** Task updates still in this device's outbox, by task, oldest first. */
const unsent = signal<ReadonlyMap<string, readonly TaskUpdateState[]>>(new Map());

/** The state an officer should see: their newest unsent word, else the server's. */
export function shownState(task: Task): { state: TaskState; unsent: boolean } {
  const mine = unsent.value.get(task.id)?.at(-1);
  return mine ? { state: mine, unsent: true } : { state: task.state, unsent: false };
}

/** The officer's tasks, unfinished and urgent first. */
export const myTasks = computed(() => [...tasks.value].sort((a, b) => compareTasks(a, b, Date.now())));

/** Re-reads the unsent task updates from the outbox. */
export async function loadUnsentTaskUpdates(officerId: string): Promise<void> {
  const entries = await listWaiting(await deviceDb, officerId);
  const next = new Map<string, TaskUpdateState[]>();
  for (const { record: r } of entries) {
    if (r.kind === 'task.update') next.set(r.body.taskId, [...(next.get(r.body.taskId) ?? []), r.body.state]);
  }
  unsent.value = next;
}

/** Writes the officer's signed word on a task, against the revision they are looking at. */
export async function updateTask(
  officerId: string,
  task: Task,
  state: TaskUpdateState,
  extra: Pick<BodyOf<'task.update'>, 'reason' | 'note'> = {},
): Promise<void> {
  await record(officerId, 'task.update', { taskId: task.id, state, revision: task.revision, method: 'tap', ...extra });
  unsent.value = new Map([...unsent.value, [task.id, [...(unsent.value.get(task.id) ?? []), state]]]);
}

/** Where an officer holding a task has not arrived yet: the patrol session turns arrival there into `on-scene`. */
const ON_THE_WAY: ReadonlySet<TaskState> = new Set(['assigned', 'accepted', 'en-route']);

/** The places of the officer's tasks still to reach, as the patrol session takes them. */
export function placesToReach(officerId: string): TaskPlace[] {
  return tasks.value.flatMap((task) => {
    const holds = task.assignee.to === 'officer' ? task.assignee.officerId === officerId : task.holder?.id === officerId;
    if (!task.location || !holds || !ON_THE_WAY.has(shownState(task).state)) return [];
    return [{ taskId: task.id, revision: task.revision, shape: task.location }];
  });
}

/** Writes the arrival the patrol session detected, and tells the officer it counted. */
export async function writeTaskArrival(officerId: string, rec: Extract<PatrolRecord, { kind: 'task.update' }>): Promise<void> {
  await record(officerId, 'task.update', rec.body, { id: rec.id, now: new Date(rec.at) });
  const { taskId, state } = rec.body;
  unsent.value = new Map([...unsent.value, [taskId, [...(unsent.value.get(taskId) ?? []), state]]]);
  navigator.vibrate?.([200, 100, 200]);
  const title = tasks.peek().find((task) => task.id === taskId)?.title ?? '';
  notify('info', t('task.arrived', { title }), undefined, 15_000);
}

/**
 * Tells the officer about tasks they have not seen before: a notice always, a system notification
 * where permitted, and for urgent ones a vibration and a tone. Seen ids are kept per officer, so
 * a reload does not announce them again.
 */
export async function announceNewTasks(officerId: string, current: readonly Task[]): Promise<void> {
  const db = await deviceDb;
  const key = `tasks-seen:${officerId}`;
  const seen = new Set(((await readMeta(db, key)) ?? '').split(',').filter(Boolean));
  const fresh = current.filter((task) => !seen.has(task.id) && (task.state === 'assigned' || task.state === 'open'));
  await writeSealedMeta(db, key, current.map((task) => task.id).join(','));
  for (const task of fresh) {
    const text = t(task.priority === 'urgent' ? 'task.newUrgent' : 'task.new', { title: task.title });
    notify('info', text, undefined, task.priority === 'urgent' ? 15_000 : 6_000);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      const registration = await navigator.serviceWorker?.ready;
      await registration?.showNotification(t('app.name'), { body: text, tag: `task-${task.id}` }).catch(reportError);
    }
    if (task.priority === 'urgent') alarm();
  }
}

/** Vibration and a short two-tone beep; either may be refused (no hardware, no user gesture yet). */
function alarm(): void {
  navigator.vibrate?.([400, 150, 400, 150, 400]);
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.setValueAtTime(880, audio.currentTime);
    tone.frequency.setValueAtTime(660, audio.currentTime + 0.25);
    gain.gain.setValueAtTime(0.3, audio.currentTime);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
    tone.onended = () => void audio.close();
  } catch (error) {
    console.warn('task alarm tone unavailable', error);
  }
}

/**
 * Re-reads the unsent task updates after a sync, but only while some are known: the outbox holds
 * every fix of a patrol, and reading all of it after each record would cost more than the record.
 */
export function recheckUnsentTaskUpdates(officerId: string): void {
  if (unsent.value.size > 0) void loadUnsentTaskUpdates(officerId).catch(reportError);
}
