import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/password.js';
import type { Tables } from '../db/schema.js';
import { reserveVersions } from '../db/versions.js';
import type { Area } from '../../domain/areas.js';
import type { Plan } from '../../domain/checkpoints.js';
import type { Role } from '../../domain/roles.js';
import { planColumns } from '../geography/rows.js';
import { DEMO_DEVICE_LABEL } from '../records/incidents.js';
import { writeAreas } from '../safety-index/areas.js';
import { seedDemoIncidents } from './incidents.js';
import { buildHuichengAreas } from './huicheng-areas.js';
import { buildHuichengDemo, type HuichengDemo } from './huicheng.js';

const DEMO_UNIT_ID = '0190a1f0-0000-7000-8000-000000000001';
const DEMO_SQUAD_IDS = { A: '0190a1f0-0000-7000-8000-00000000000a', B: '0190a1f0-0000-7000-8000-00000000000b' } as const;

interface DemoAccount {
  badge: string;
  name: string;
  role: Role;
  squad: 'A' | 'B' | null;
}

/** The accounts DESIGN.md lists: six officers, a leader per squad, a supervisor, an admin. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { badge: 'J001', name: '陈志强', role: 'officer', squad: 'A' },
  { badge: 'J002', name: '李伟', role: 'officer', squad: 'A' },
  { badge: 'J003', name: '黄晓东', role: 'officer', squad: 'A' },
  { badge: 'J004', name: '张国华', role: 'officer', squad: 'B' },
  { badge: 'J005', name: '刘俊', role: 'officer', squad: 'B' },
  { badge: 'J006', name: '叶嘉敏', role: 'officer', squad: 'B' },
  { badge: 'L001', name: '王建军', role: 'leader', squad: 'A' },
  { badge: 'L002', name: '林海涛', role: 'leader', squad: 'B' },
  { badge: 'S001', name: '周立新', role: 'supervisor', squad: null },
  { badge: 'A001', name: '郑文博', role: 'admin', squad: null },
];

/** A readable random password for the demo when `DEMO_PASSWORD` is not set. */
export function randomDemoPassword(): string {
  return `xf-${randomBytes(6).toString('base64url')}`;
}

/** True when the database has no users yet: the only time the demo is seeded. */
export async function isEmpty(db: Kysely<Tables>): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return !row;
}

/**
 * One scrypt hash per demo account (each its own salt), made once per process and password: a
 * test file seeds a fresh database for every test, and twelve hashes at N=2^15 were most of the
 * cost of starting its server.
 */
const demoHashCache = new Map<string, Promise<string[]>>();
function demoHashes(password: string): Promise<string[]> {
  let hashes = demoHashCache.get(password);
  if (!hashes) {
    hashes = Promise.all(DEMO_ACCOUNTS.map(() => hashPassword(password)));
    demoHashCache.set(password, hashes);
    hashes.catch(() => demoHashCache.delete(password));
  }
  return hashes;
}

/** Seeds the Huicheng demo (unit, squads, accounts, zones, checkpoints, control points) in one transaction. */
export async function seedDemo(db: Kysely<Tables>, password: string, now: Date): Promise<void> {
  const geography = buildHuichengDemo();
  const at = now.toISOString();
  const hashes = await demoHashes(password);
  await db.transaction().execute(async (trx) => {
    // Every synced row gets its own version so pulls can page through the seed.
    const plans = demoPlans(geography);
    const total = DEMO_ACCOUNTS.length + geography.zones.length + geography.checkpoints.length + geography.controlPoints.length + plans.length;
    let version = await reserveVersions(trx, total);
    if (geography.outline.type !== 'Polygon') throw new Error('the demo district is one polygon');
    const district = { name: { 'zh-CN': '惠城区', en: 'Huicheng District' }, polygon: geography.outline };
    await trx
      .insertInto('units')
      .values({ id: DEMO_UNIT_ID, name_zh: '惠城区巡特警大队', name_en: 'Huicheng Patrol Brigade', boundaries: JSON.stringify([district]) })
      .execute();
    await trx
      .insertInto('squads')
      .values([
        { id: DEMO_SQUAD_IDS.A, unit_id: DEMO_UNIT_ID, code: 'A', name_zh: '一中队', name_en: 'Squad A' },
        { id: DEMO_SQUAD_IDS.B, unit_id: DEMO_UNIT_ID, code: 'B', name_zh: '二中队', name_en: 'Squad B' },
      ])
      .execute();
    await trx
      .insertInto('users')
      .values(
        DEMO_ACCOUNTS.map((account, i) => ({
          id: `0190a1f0-0000-7000-8000-1000000000${String(i).padStart(2, '0')}`,
          badge: account.badge,
          name: account.name,
          role: account.role,
          unit_id: DEMO_UNIT_ID,
          squad_id: account.squad ? DEMO_SQUAD_IDS[account.squad] : null,
          password_hash: hashes[i] ?? '',
          created_at: at,
          version: version++,
        })),
      )
      .execute();
    await trx
      .insertInto('zones')
      .values(
        geography.zones.map((zone) => ({
          id: zone.id,
          squad_id: DEMO_SQUAD_IDS[zone.squad],
          name_zh: zone.name['zh-CN'],
          name_en: zone.name.en,
          geometry: JSON.stringify(zone.polygon),
          updated_at: at,
          version: version++,
        })),
      )
      .execute();
    await trx
      .insertInto('checkpoints')
      .values(
        geography.checkpoints.map((checkpoint) => ({
          id: checkpoint.id,
          zone_id: checkpoint.zoneId,
          name_zh: checkpoint.name['zh-CN'],
          name_en: checkpoint.name.en,
          type: checkpoint.type,
          shape: JSON.stringify(checkpoint.shape),
          min_dwell_s: checkpoint.minDwellS,
          updated_at: at,
          version: version++,
        })),
      )
      .execute();
    await trx
      .insertInto('control_points')
      .values(
        geography.controlPoints.map((point) => ({
          id: point.id,
          unit_id: DEMO_UNIT_ID,
          name_zh: point.name['zh-CN'],
          name_en: point.name.en,
          kind: point.kind,
          lon: point.point[0],
          lat: point.point[1],
          // Read off maps, not surveyed: the leader's lockdown screen says so.
          approximate: 1,
          updated_at: at,
          version: version++,
        })),
      )
      .execute();
    await trx
      .insertInto('plans')
      .values(plans.map((plan) => ({ id: plan.id, ...planColumns(plan), updated_at: at, version: version++ })))
      .execute();
  });
}

/**
 * Seeds the safety index's areas of the demo (huicheng-areas.ts): Huicheng's towns and streets
 * and a few communities, with approximate boundaries and populations, marked so (the admin
 * imports the real ones). Apart from seedDemo, which must still fit schemas older than the areas
 * table (the upgrade tests seed at those); its past incidents are apart too (incidents.ts).
 */
export async function seedDemoAreas(db: Kysely<Tables>, now: Date): Promise<void> {
  await db.transaction().execute((trx) => writeAreas(trx, DEMO_UNIT_ID, demoAreas(), now.toISOString()));
}

/** The demo's areas are deterministic and cost about a second of polygon clipping: made once per process. */
let demoAreaCache: readonly Area[] | undefined;
function demoAreas(): readonly Area[] {
  if (!demoAreaCache) {
    const { outline } = buildHuichengDemo();
    if (outline.type !== 'Polygon') throw new Error('the demo district is one polygon');
    demoAreaCache = buildHuichengAreas(outline);
  }
  return demoAreaCache;
}

/**
 * Seeds what the demo's safety index lacks: its areas, then a year of past incidents. Each is
 * one transaction and is looked for first, so a first start killed part-way finishes on the next
 * (and a demo database from before the index gets it). Does nothing without the demo's unit.
 */
export async function seedDemoIndexIfMissing(db: Kysely<Tables>, now: Date): Promise<void> {
  if (!(await db.selectFrom('units').select('id').where('id', '=', DEMO_UNIT_ID).executeTakeFirst())) return;
  if (!(await db.selectFrom('areas').select('id').where('unit_id', '=', DEMO_UNIT_ID).limit(1).executeTakeFirst())) await seedDemoAreas(db, now);
  if (!(await db.selectFrom('devices').select('id').where('label', '=', DEMO_DEVICE_LABEL).limit(1).executeTakeFirst())) await seedDemoIncidents(db, now);
}

/**
 * The demo's patrol plans: squad A visits its hot spots every two hours through the night and
 * its first three checkpoints once a shift; squad B visits each of its checkpoints once a shift.
 */
function demoPlans(geography: HuichengDemo): Plan[] {
  const ofSquad = (squad: 'A' | 'B') => {
    const zones = new Set(geography.zones.filter((z) => z.squad === squad).map((z) => z.id));
    return geography.checkpoints.filter((c) => zones.has(c.zoneId)).map((c) => c.id);
  };
  const a = ofSquad('A');
  return [
    {
      id: '0190a1f0-0000-7000-8000-500000000001',
      squadId: DEMO_SQUAD_IDS.A,
      name: { 'zh-CN': '夜间重点巡查', en: 'Night hot-spot round' },
      checkpointIds: a,
      rule: { kind: 'interval', everyMin: 120, from: '20:00', to: '06:00' },
    },
    {
      id: '0190a1f0-0000-7000-8000-500000000002',
      squadId: DEMO_SQUAD_IDS.A,
      name: { 'zh-CN': '每班必到', en: 'Every shift' },
      checkpointIds: a.slice(0, 3),
      rule: { kind: 'per-shift', times: 1 },
    },
    {
      id: '0190a1f0-0000-7000-8000-500000000003',
      squadId: DEMO_SQUAD_IDS.B,
      name: { 'zh-CN': '每班巡查', en: 'Shift round' },
      checkpointIds: ofSquad('B'),
      rule: { kind: 'per-shift', times: 1 },
    },
  ];
}
