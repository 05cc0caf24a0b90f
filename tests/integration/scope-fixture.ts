import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { NewTrackerResponse } from '../../src/domain/native-trackers.js';
import type { OneTimePassword, RosterImportOutcome } from '../../src/domain/protocol/accounts.js';
import type { PushResponse } from '../../src/domain/protocol/sync.js';
import type { RecordKind, BodyOf } from '../../src/domain/records.js';
import { TestDevice } from './device.js';
import { Client, fastPasswordHash, PASSWORD, type TestServer } from './harness.js';

// The people and data that scope tests stand around: the demo unit's officer J001 with real data
// of every kind (device, shift, incident with a photo, task, tracker), and a second unit with a
// squad, an officer, a leader, a supervisor and an admin of its own.

/** The second unit's accounts: an officer, a leader of its squad Z, a supervisor, an admin. */
export const OTHER_UNIT = { officer: 'Z001', leader: 'ZL01', supervisor: 'ZS01', admin: 'X001' } as const;

/**
 * Makes the second unit as an admin would: the unit and its first admin straight into the
 * database (no route makes units), then squad Z and its people through the admin's own routes,
 * each signing in with their one-time password and choosing `PASSWORD`. Returns their sessions.
 */
export async function seedAnotherUnit(server: TestServer): Promise<Map<string, Client>> {
  const { db } = server.database;
  await db.insertInto('units').values({ id: newId(), name_zh: '别的大队', name_en: 'Another Brigade' }).execute();
  const unit = await db.selectFrom('units').select('id').where('name_en', '=', 'Another Brigade').executeTakeFirstOrThrow();
  await db
    .insertInto('users')
    .values({
      id: newId(),
      badge: OTHER_UNIT.admin,
      name: '外单位管理员',
      role: 'admin',
      unit_id: unit.id,
      squad_id: null,
      password_hash: await fastPasswordHash(PASSWORD),
      created_at: server.clock.now().toISOString(),
    })
    .execute();
  const admin = new Client(server.url);
  expect((await admin.login(OTHER_UNIT.admin)).status).toBe(200);
  expect((await admin.request('POST', '/api/admin/squads', { code: 'Z', name: { 'zh-CN': '外中队', en: 'Squad Z' } })).status).toBe(201);
  const csv = [
    'badge,name,role,squad',
    `${OTHER_UNIT.officer},外单位民警,officer,Z`,
    `${OTHER_UNIT.leader},外单位中队长,leader,Z`,
    `${OTHER_UNIT.supervisor},外单位督导,supervisor,`,
  ].join('\n');
  const imported = await admin.request('POST', '/api/admin/roster', csv, { 'content-type': 'text/csv' });
  expect(imported.status).toBe(200);
  const clients = new Map<string, Client>([[OTHER_UNIT.admin, admin]]);
  for (const person of ((await imported.json()) as RosterImportOutcome).created) clients.set(person.badge, await firstSignIn(server, person));
  return clients;
}

/** A first sign-in with a one-time password, replaced by `PASSWORD`: the session goes on, unrestricted. */
async function firstSignIn(server: TestServer, person: OneTimePassword): Promise<Client> {
  const client = new Client(server.url);
  expect((await client.login(person.badge, person.oneTimePassword)).status).toBe(200);
  expect((await client.request('POST', '/api/auth/password', { current: person.oneTimePassword, next: PASSWORD })).status).toBe(200);
  return client;
}

/** Real ids of J001's data, and of their unit's things, for a scope test to ask about. */
export interface OfficerData {
  j001: string;
  /** Another officer of squad A who is no caller: safe to reset. */
  j003: string;
  squadA: string;
  deviceJ001: string;
  /** A zone of squad A, with a checkpoint and a plan of it. */
  zoneA: string;
  checkpointA: string;
  planA: string;
  controlPointA: string;
  /** A published area of the unit. */
  areaA: string;
  shiftJ001: string;
  incidentJ001: string;
  /** The SHA-256 of the photo J001's incident names. */
  photoJ001: string;
  taskJ001: string;
  trackerJ001: string;
}

/**
 * Gives J001 a registered device, an open shift, an incident with a photo, a task (made by
 * their leader `L001`) and a paired tracker, all through the routes the app uses.
 */
export async function seedOfficerData(server: TestServer, j001Client: Client, l001Client: Client): Promise<OfficerData> {
  const { db } = server.database;
  const id = async (badge: string) => (await db.selectFrom('users').select('id').where('badge', '=', badge).executeTakeFirstOrThrow()).id;
  const j001 = await id('J001');
  const squadA = (await db.selectFrom('squads').select('id').where('code', '=', 'A').executeTakeFirstOrThrow()).id;
  const zoneA = (await db.selectFrom('zones').select('id').where('squad_id', '=', squadA).orderBy('id').executeTakeFirstOrThrow()).id;
  const checkpointA = (await db.selectFrom('checkpoints').select('id').where('zone_id', '=', zoneA).orderBy('id').executeTakeFirstOrThrow()).id;
  const planA = (await db.selectFrom('plans').select('id').where('squad_id', '=', squadA).orderBy('id').executeTakeFirstOrThrow()).id;
  const controlPointA = (await db.selectFrom('control_points').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  const areaA = (await db.selectFrom('areas').select('id').orderBy('id').executeTakeFirstOrThrow()).id;

  const device = await TestDevice.create(j001);
  expect((await device.register(j001Client)).status).toBe(201);
  const push = async <K extends RecordKind>(kind: K, body: BodyOf<K>) => {
    const response = await j001Client.request('POST', '/api/sync/push', { records: [await device.next(kind, body)] });
    expect(((await response.json()) as PushResponse).results.map((r) => r.status)).toEqual(['accepted']);
  };
  const shiftJ001 = newId();
  await push('shift.start', { shiftId: shiftJ001, squadId: squadA, members: [j001], equipment: [], zoneIds: [zoneA] });
  const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from("J001's photo")]);
  const photoJ001 = createHash('sha256').update(photo).digest('hex');
  const upload = await fetch(`${server.url}/api/blobs/${photoJ001}`, {
    method: 'PUT',
    headers: { cookie: j001Client.cookie, 'content-type': 'image/jpeg' },
    body: photo,
  });
  expect(upload.status).toBe(201);
  const incidentJ001 = newId();
  await push('incident.report', {
    incidentId: incidentJ001,
    category: 'burglary',
    location: { source: 'fix', lat: 23.0921, lon: 114.4312, accuracy: 7 },
    description: '居民报称家中被盗',
    people: [],
    injured: 0,
    dead: 0,
    photos: [{ sha256: photoJ001, size: photo.length, type: 'image/jpeg', width: 640, height: 480 }],
    shiftId: shiftJ001,
    occurredAt: server.clock.now().toISOString(),
  });
  const task = await l001Client.request('POST', '/api/tasks', { kind: 'check', title: '巡查北门', assignee: { to: 'officer', officerId: j001 } });
  expect(task.status).toBe(201);
  const tracker = await j001Client.request('POST', '/api/trackers', { label: 'OwnTracks' });
  expect(tracker.status).toBe(201);
  return {
    j001,
    j003: await id('J003'),
    squadA,
    deviceJ001: device.deviceId,
    zoneA,
    checkpointA,
    planA,
    controlPointA,
    areaA,
    shiftJ001,
    incidentJ001,
    photoJ001,
    taskJ001: ((await task.json()) as { task: { id: string } }).task.id,
    trackerJ001: ((await tracker.json()) as NewTrackerResponse).tracker.id,
  };
}
