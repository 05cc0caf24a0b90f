import type { Kysely } from 'kysely';
import { polygonsOf, type Area } from '../../domain/areas.js';
import { EMPTY_CHAIN, nextLink } from '../../domain/chain.js';
import { pointInPolygon } from '../../domain/geo.js';
import { newId } from '../../domain/ids.js';
import type { BodyOf, RecordOf } from '../../domain/records.js';
import { exportPublicKey, generateDeviceKeys, sealRecord } from '../../domain/record-crypto.js';
import type { Tables } from '../db/schema.js';
import { writeDerived } from '../records/derived.js';
import { DEMO_DEVICE_LABEL } from '../records/incidents.js';
import { unitAreas } from '../safety-index/areas.js';
import { insertRecords, recordRow } from '../sync/ingest.js';

// A year of past incidents for the demo (issue 15), so the safety index screen has something to
// show. They are what a real device would have sent: signed incident.report records, one chain
// per demo officer, from devices registered with the DEMO_DEVICE_LABEL label, stored in `records`
// and derived through the same writer as a push (so the incidents table marks them demo, and a
// rebuild from records gives the same rows). Where they fall is random but seeded: weighted by
// the towns' populations, with more of the preventable kinds in the demo's communities.

/** How many incidents a year the demo seeds: about 250 a month, a few seconds of seeding at most. */
const DEMO_INCIDENTS_PER_YEAR = 3000;

/** Relative frequency of each category (DEFAULT_INCIDENT_CATEGORIES codes). */
const CATEGORY_WEIGHTS: ReadonlyArray<[string, number]> = [
  ['public-order', 30],
  ['criminal', 16],
  ['traffic', 16],
  ['motorbike-theft', 10],
  ['burglary', 8],
  ['fire', 7],
  ['dispute', 6],
  ['vehicle-theft', 3],
  ['other', 4],
];
/** Chance an incident of the group has a death (one), per category code. */
const DEATH_CHANCE: Record<string, number> = { traffic: 0.04, fire: 0.02, criminal: 0.01 };
const DESCRIPTIONS: Record<string, string> = {
  'public-order': '演示：公共场所纠纷滋事，已劝离。',
  criminal: '演示：报警称被抢，嫌疑人逃离。',
  traffic: '演示：两车相撞，已通知交警。',
  'motorbike-theft': '演示：电动车在楼下被盗。',
  burglary: '演示：住户报称家中被撬。',
  fire: '演示：商铺起火，已通知消防。',
  dispute: '演示：邻里纠纷，已调解。',
  'vehicle-theft': '演示：停车场车辆被盗。',
  other: '演示：群众求助。',
};
const ADDRESSES = ['惠城区演达大道', '惠城区麦地路', '惠城区江北文昌一路', '惠城区河南岸金山大道'];

/** A small seeded generator (mulberry32): the same demo every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickWeighted<T>(items: ReadonlyArray<readonly [T, number]>, random: () => number): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return (items.at(-1) as readonly [T, number])[0];
}

/** A random point inside the area (rejection sampling in its bounding box). */
function pointIn(area: Area, random: () => number): [number, number] {
  const polygons = polygonsOf(area.geometry);
  const outer = polygons.flatMap((rings) => rings[0] ?? []);
  const lons = outer.map((p) => p[0]);
  const lats = outer.map((p) => p[1]);
  const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  for (let tries = 0; tries < 1000; tries++) {
    const lon = west + random() * (east - west);
    const lat = south + random() * (north - south);
    if (polygons.some((rings) => pointInPolygon(lon, lat, rings))) return [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
  }
  throw new Error(`no point found inside ${area.name.en}`);
}

/**
 * Seeds `count` signed incident reports over the year before `now`, from the demo officers'
 * demo devices, into the unit's areas. Needs the demo seeded (seed.ts); one transaction.
 */
export async function seedDemoIncidents(db: Kysely<Tables>, now: Date, count = DEMO_INCIDENTS_PER_YEAR): Promise<void> {
  const officers = await db.selectFrom('users').select(['id', 'unit_id']).where('role', '=', 'officer').orderBy('badge').execute();
  const unitId = officers[0]?.unit_id;
  if (!unitId) throw new Error('seed the demo before its incidents');
  const areas = await unitAreas(db, unitId);
  const towns = areas.filter((a) => a.level === 'town');
  const communities = areas.filter((a) => a.level === 'community');
  const random = seeded(15);
  const end = now.getTime();
  const start = end - 365 * 24 * 3600_000;

  const devices = await Promise.all(
    officers.map(async (officer) => ({
      officer,
      deviceId: newId(),
      keys: await generateDeviceKeys(),
      reports: [] as Array<{ at: string; body: BodyOf<'incident.report'> }>,
    })),
  );
  for (let i = 0; i < count; i++) {
    const category = pickWeighted(CATEGORY_WEIGHTS, random);
    const preventable = category === 'burglary' || category === 'motorbike-theft' || category === 'vehicle-theft';
    const occurred = Math.floor(start + random() * (end - start - 3600_000));
    const reportedAt = occurred + Math.floor((5 + random() * 55) * 60_000);
    const area =
      preventable && communities.length && random() < 0.5
        ? communities[Math.floor(random() * communities.length)]
        : pickWeighted(
            towns.map((t) => [t, t.population] as const),
            random,
          );
    const addressOnly = random() < 0.03;
    const [lon, lat] = area && !addressOnly ? pointIn(area, random) : [null, null];
    const dead = random() < (DEATH_CHANCE[category] ?? 0) ? 1 : 0;
    const device = devices[Math.floor(random() * devices.length)];
    if (!device) break;
    device.reports.push({
      at: new Date(reportedAt).toISOString(),
      body: {
        incidentId: newId(),
        category,
        occurredAt: new Date(occurred).toISOString(),
        location:
          lon === null || lat === null
            ? { source: 'address', lat: null, lon: null, accuracy: null, address: ADDRESSES[Math.floor(random() * ADDRESSES.length)] }
            : { source: 'fix', lat, lon, accuracy: Math.round(5 + random() * 20) },
        description: DESCRIPTIONS[category] ?? '演示',
        people: [],
        injured: dead || random() < 0.1 ? 1 : 0,
        dead,
        photos: [],
        shiftId: null,
      },
    });
  }

  // Each device's chain in time order, as a phone would have made it.
  const records: Array<RecordOf<'incident.report'>> = [];
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const device of devices) {
    device.reports.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    let head = EMPTY_CHAIN;
    for (const report of device.reports) {
      const { seq, prev } = nextLink(head);
      const record = await sealRecord(
        { id: newId(), kind: 'incident.report', deviceId: device.deviceId, officerId: device.officer.id, seq, at: report.at, body: report.body, prev },
        device.keys.privateKey,
      );
      records.push(record);
      head = { seq, hash: record.hash };
    }
    heads.set(device.deviceId, head);
  }

  const receivedAt = now.toISOString();
  const registrations = await Promise.all(devices.map(async (d) => ({ d, jwk: await exportPublicKey(d.keys.publicKey) })));
  await db.transaction().execute(async (trx) => {
    for (const { d, jwk } of registrations) {
      const head = heads.get(d.deviceId) ?? EMPTY_CHAIN;
      await trx
        .insertInto('devices')
        .values({
          id: d.deviceId,
          officer_id: d.officer.id,
          public_key_jwk: JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }),
          label: DEMO_DEVICE_LABEL,
          registered_at: new Date(start).toISOString(),
          head_seq: head.seq,
          head_hash: head.hash,
        })
        .execute();
    }
    await insertRecords(
      trx,
      records.map((r) => recordRow(r, JSON.stringify(r), receivedAt)),
    );
    await writeDerived(trx, records);
  });
}
