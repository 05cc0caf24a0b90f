import type { Kysely, Selectable, Transaction } from 'kysely';
import type { LiveFix, LiveTracking, NativeLiveFix, OfficerLive, SosAlert } from '../../domain/protocol/squad.js';
import type { RecordOf, SignedRecord } from '../../domain/records.js';
import type { OfficerLiveTable, SosAlertTable, Tables } from '../db/schema.js';
import { ofKind } from './reader.js';
import { fixTimeOf } from './positions.js';

// The live squad's derived tables (issue 13): each officer's newest fix and tracking state, and
// their SOS alerts. Written in the storing transaction by the same rule at ingest and at rebuild,
// so records arriving in any order, in any batches, end in the same rows.
//
// The rule, "newest by device order": on one device the higher seq is newer, whatever its fix
// time or arrival; between two devices of one officer (a phone swapped mid-shift) the later fix
// time is. A backlog arriving late therefore never moves an officer backwards.

type Db = Kysely<Tables> | Transaction<Tables>;

interface Ordered {
  deviceId: string;
  seq: number;
  /** Fix time (positions) or device time (tracking), normalized. */
  at: string;
}

/** True when `a` comes after `b` by the rule above. */
function newer(a: Ordered, b: Ordered): boolean {
  return a.deviceId === b.deviceId ? a.seq > b.seq : a.at > b.at;
}

/**
 * The newest of each officer's records among `records`, by the rule above: the highest seq of
 * each device first (integers only: a batch is a thousand fixes), then times across devices.
 */
function newestByOfficer<R extends SignedRecord>(records: readonly R[], at: (r: R) => string): Map<string, R> {
  const perDevice = new Map<string, R>();
  for (const r of records) {
    const best = perDevice.get(r.deviceId);
    if (!best || r.seq > best.seq) perDevice.set(r.deviceId, r);
  }
  const newest = new Map<string, R>();
  const key = (r: R): Ordered => ({ deviceId: r.deviceId, seq: r.seq, at: at(r) });
  for (const r of perDevice.values()) {
    const best = newest.get(r.officerId);
    if (!best || newer(key(r), key(best))) newest.set(r.officerId, r);
  }
  return newest;
}

/** What changed in the live tables: officers whose row moved on, alerts raised or cancelled. */
export interface LiveChanges {
  officers: Set<string>;
  alerts: Set<string>;
}

/** Merges these records into officer_live and sos_alerts; returns what changed. */
export async function writeOfficerLive(trx: Db, records: readonly SignedRecord[]): Promise<LiveChanges> {
  const changes: LiveChanges = { officers: new Set(), alerts: new Set() };
  for (const r of newestByOfficer(ofKind(records, 'position'), fixTimeOf).values()) {
    if (await mergePosition(trx, r)) changes.officers.add(r.officerId);
  }
  for (const r of newestByOfficer(ofKind(records, 'tracking'), (t) => t.at).values()) {
    if (await mergeTracking(trx, r)) changes.officers.add(r.officerId);
  }
  for (const r of ofKind(records, 'sos')) {
    if (await mergeSos(trx, r)) changes.alerts.add(r.body.alertId);
  }
  return changes;
}

const EMPTY: Omit<OfficerLiveTable, 'officer_id' | 'version'> = {
  pos_record_id: null,
  pos_device_id: null,
  pos_seq: null,
  shift_id: null,
  fix_at: null,
  lat: null,
  lon: null,
  accuracy: null,
  speed: null,
  heading: null,
  trk_record_id: null,
  trk_device_id: null,
  trk_seq: null,
  trk_state: null,
  trk_reason: null,
  trk_at: null,
  heard_at: null,
  native_fix_at: null,
  native_lat: null,
  native_lon: null,
  native_accuracy: null,
};

async function mergePosition(trx: Db, r: RecordOf<'position'>): Promise<boolean> {
  const b = r.body;
  const row = {
    ...EMPTY,
    officer_id: r.officerId,
    pos_record_id: r.id,
    pos_device_id: r.deviceId,
    pos_seq: r.seq,
    shift_id: b.shiftId,
    fix_at: fixTimeOf(r),
    lat: b.lat,
    lon: b.lon,
    accuracy: b.accuracy,
    speed: b.speed ?? null,
    heading: b.heading ?? null,
  };
  const changed = await trx
    .insertInto('officer_live')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('officer_id')
        .doUpdateSet((eb) => ({
          pos_record_id: eb.ref('excluded.pos_record_id'),
          pos_device_id: eb.ref('excluded.pos_device_id'),
          pos_seq: eb.ref('excluded.pos_seq'),
          shift_id: eb.ref('excluded.shift_id'),
          fix_at: eb.ref('excluded.fix_at'),
          lat: eb.ref('excluded.lat'),
          lon: eb.ref('excluded.lon'),
          accuracy: eb.ref('excluded.accuracy'),
          speed: eb.ref('excluded.speed'),
          heading: eb.ref('excluded.heading'),
        }))
        .where((eb) =>
          eb.or([
            eb('officer_live.pos_record_id', 'is', null),
            eb.and([eb('officer_live.pos_device_id', '=', eb.ref('excluded.pos_device_id')), eb('officer_live.pos_seq', '<', eb.ref('excluded.pos_seq'))]),
            eb.and([eb('officer_live.pos_device_id', '<>', eb.ref('excluded.pos_device_id')), eb('officer_live.fix_at', '<', eb.ref('excluded.fix_at'))]),
          ]),
        ),
    )
    .returning('officer_id')
    .execute();
  return changed.length > 0;
}

async function mergeTracking(trx: Db, r: RecordOf<'tracking'>): Promise<boolean> {
  const row = {
    ...EMPTY,
    officer_id: r.officerId,
    trk_record_id: r.id,
    trk_device_id: r.deviceId,
    trk_seq: r.seq,
    trk_state: r.body.state,
    trk_reason: r.body.reason,
    trk_at: r.at,
  };
  const changed = await trx
    .insertInto('officer_live')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('officer_id')
        .doUpdateSet((eb) => ({
          trk_record_id: eb.ref('excluded.trk_record_id'),
          trk_device_id: eb.ref('excluded.trk_device_id'),
          trk_seq: eb.ref('excluded.trk_seq'),
          trk_state: eb.ref('excluded.trk_state'),
          trk_reason: eb.ref('excluded.trk_reason'),
          trk_at: eb.ref('excluded.trk_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('officer_live.trk_record_id', 'is', null),
            eb.and([eb('officer_live.trk_device_id', '=', eb.ref('excluded.trk_device_id')), eb('officer_live.trk_seq', '<', eb.ref('excluded.trk_seq'))]),
            eb.and([eb('officer_live.trk_device_id', '<>', eb.ref('excluded.trk_device_id')), eb('officer_live.trk_at', '<', eb.ref('excluded.trk_at'))]),
          ]),
        ),
    )
    .returning('officer_id')
    .execute();
  return changed.length > 0;
}

/**
 * A raise or cancel of one alert. Only the officer who raised an alert touches it (another
 * officer's record naming the same alert id changes nothing); of two raises (or two cancels) the
 * earliest by (device time, record id) counts, as for shifts.
 */
async function mergeSos(trx: Db, r: RecordOf<'sos'>): Promise<boolean> {
  const b = r.body;
  const none = {
    shift_id: b.shiftId,
    raise_record_id: null,
    raised_at: null,
    lat: null,
    lon: null,
    accuracy: null,
    fix_at: null,
    cancel_record_id: null,
    cancelled_at: null,
  };
  const raising = b.state === 'raised';
  const row = raising
    ? {
        ...none,
        raise_record_id: r.id,
        raised_at: r.at,
        lat: b.fix?.lat ?? null,
        lon: b.fix?.lon ?? null,
        accuracy: b.fix?.accuracy ?? null,
        fix_at: b.fix?.fixAt ?? null,
      }
    : { ...none, cancel_record_id: r.id, cancelled_at: r.at };
  const changed = await trx
    .insertInto('sos_alerts')
    .values({ id: b.alertId, officer_id: r.officerId, acked_by: null, acked_at: null, ...row })
    .onConflict((oc) =>
      raising
        ? oc
            .column('id')
            .doUpdateSet((eb) => ({
              shift_id: eb.ref('excluded.shift_id'),
              raise_record_id: eb.ref('excluded.raise_record_id'),
              raised_at: eb.ref('excluded.raised_at'),
              lat: eb.ref('excluded.lat'),
              lon: eb.ref('excluded.lon'),
              accuracy: eb.ref('excluded.accuracy'),
              fix_at: eb.ref('excluded.fix_at'),
            }))
            .where((eb) =>
              eb.and([
                eb('sos_alerts.officer_id', '=', eb.ref('excluded.officer_id')),
                eb.or([
                  eb('sos_alerts.raise_record_id', 'is', null),
                  eb('excluded.raised_at', '<', eb.ref('sos_alerts.raised_at')),
                  eb.and([
                    eb('excluded.raised_at', '=', eb.ref('sos_alerts.raised_at')),
                    eb('excluded.raise_record_id', '<', eb.ref('sos_alerts.raise_record_id')),
                  ]),
                ]),
              ]),
            )
        : oc
            .column('id')
            .doUpdateSet((eb) => ({ cancel_record_id: eb.ref('excluded.cancel_record_id'), cancelled_at: eb.ref('excluded.cancelled_at') }))
            .where((eb) =>
              eb.and([
                eb('sos_alerts.officer_id', '=', eb.ref('excluded.officer_id')),
                eb.or([
                  eb('sos_alerts.cancel_record_id', 'is', null),
                  eb('excluded.cancelled_at', '<', eb.ref('sos_alerts.cancelled_at')),
                  eb.and([
                    eb('excluded.cancelled_at', '=', eb.ref('sos_alerts.cancelled_at')),
                    eb('excluded.cancel_record_id', '<', eb.ref('sos_alerts.cancel_record_id')),
                  ]),
                ]),
              ]),
            ),
    )
    .returning('id')
    .execute();
  return changed.length > 0;
}

/** Notes that the officer was heard from at `at` (server time); never moves backwards. */
export async function noteHeard(trx: Db, officerId: string, at: string): Promise<void> {
  await trx
    .insertInto('officer_live')
    .values({ ...EMPTY, officer_id: officerId, heard_at: at })
    .onConflict((oc) =>
      oc
        .column('officer_id')
        .doUpdateSet((eb) => ({ heard_at: eb.ref('excluded.heard_at') }))
        .where((eb) => eb.or([eb('officer_live.heard_at', 'is', null), eb('officer_live.heard_at', '<', eb.ref('excluded.heard_at'))])),
    )
    .execute();
}

/** The rows of these officers, as the protocol shapes them. */
export async function readOfficerLive(db: Db, officerIds: readonly string[]): Promise<Map<string, OfficerLive>> {
  if (officerIds.length === 0) return new Map();
  const rows = await db.selectFrom('officer_live').selectAll().where('officer_id', 'in', officerIds).execute();
  return new Map(rows.map((row) => [row.officer_id, officerLiveOf(row)]));
}

export function officerLiveOf(row: Selectable<OfficerLiveTable>): OfficerLive {
  const position: LiveFix | null =
    row.fix_at !== null && row.lat !== null && row.lon !== null && row.pos_seq !== null
      ? {
          lat: Number(row.lat),
          lon: Number(row.lon),
          accuracy: Number(row.accuracy ?? 0),
          speed: row.speed === null ? null : Number(row.speed),
          heading: row.heading === null ? null : Number(row.heading),
          fixAt: row.fix_at,
          seq: Number(row.pos_seq),
        }
      : null;
  const tracking: LiveTracking | null =
    row.trk_state && row.trk_reason && row.trk_at ? { state: row.trk_state as LiveTracking['state'], reason: row.trk_reason, at: row.trk_at } : null;
  const native: NativeLiveFix | null =
    row.native_fix_at !== null && row.native_lat !== null && row.native_lon !== null
      ? {
          lat: Number(row.native_lat),
          lon: Number(row.native_lon),
          accuracy: row.native_accuracy === null ? null : Number(row.native_accuracy),
          fixAt: row.native_fix_at,
        }
      : null;
  return { officerId: row.officer_id, position, tracking, native, heardAt: row.heard_at, version: Number(row.version) };
}

/** People by id, for naming officers and acknowledgers. */
async function people(db: Db, ids: readonly string[]): Promise<Map<string, { id: string; badge: string; name: string; squadId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'badge', 'name', 'squad_id']).where('id', 'in', ids).execute();
  return new Map(rows.map((u) => [u.id, { id: u.id, badge: u.badge, name: u.name, squadId: u.squad_id }]));
}

/** Alerts as the protocol shapes them, with the officer's and acknowledger's names. */
export async function sosAlertsOf(db: Db, rows: ReadonlyArray<Selectable<SosAlertTable>>): Promise<SosAlert[]> {
  const named = await people(db, [...new Set(rows.flatMap((r) => [r.officer_id, ...(r.acked_by ? [r.acked_by] : [])]))]);
  return rows.map((r) => {
    const officer = named.get(r.officer_id);
    const acker = r.acked_by ? named.get(r.acked_by) : undefined;
    return {
      id: r.id,
      officer: { id: r.officer_id, badge: officer?.badge ?? '', name: officer?.name ?? '' },
      squadId: officer?.squadId ?? null,
      shiftId: r.shift_id,
      raisedAt: r.raised_at,
      fix:
        r.lat !== null && r.lon !== null && r.fix_at !== null
          ? { lat: Number(r.lat), lon: Number(r.lon), accuracy: Number(r.accuracy ?? 0), fixAt: r.fix_at }
          : null,
      cancelledAt: r.cancelled_at,
      ackedAt: r.acked_at,
      ackedBy: acker ? { id: acker.id, badge: acker.badge, name: acker.name } : null,
      version: Number(r.version),
    };
  });
}

/** These officers' alerts raised (device time) since `since`, or not yet acknowledged, newest first. */
export async function readSosAlerts(db: Db, officerIds: readonly string[], since: string): Promise<SosAlert[]> {
  if (officerIds.length === 0) return [];
  const rows = await db
    .selectFrom('sos_alerts')
    .selectAll()
    .where('officer_id', 'in', officerIds)
    .where((eb) => eb.or([eb('raised_at', '>=', since), eb('acked_at', 'is', null)]))
    .execute();
  // Sorted here: the databases put a null raised_at (only the cancel arrived yet) at opposite ends.
  const when = (r: Selectable<SosAlertTable>) => r.raised_at ?? r.cancelled_at ?? '';
  return sosAlertsOf(
    db,
    rows.sort((a, b) => when(b).localeCompare(when(a)) || b.id.localeCompare(a.id)),
  );
}

/** A native tracker's fix, if it is the officer's newest from any tracker; true when the row moved on. */
export async function mergeNativeFix(trx: Db, officerId: string, fix: { fixAt: string; lat: number; lon: number; accuracy: number | null }): Promise<boolean> {
  const changed = await trx
    .insertInto('officer_live')
    .values({ ...EMPTY, officer_id: officerId, native_fix_at: fix.fixAt, native_lat: fix.lat, native_lon: fix.lon, native_accuracy: fix.accuracy })
    .onConflict((oc) =>
      oc
        .column('officer_id')
        .doUpdateSet((eb) => ({
          native_fix_at: eb.ref('excluded.native_fix_at'),
          native_lat: eb.ref('excluded.native_lat'),
          native_lon: eb.ref('excluded.native_lon'),
          native_accuracy: eb.ref('excluded.native_accuracy'),
        }))
        .where((eb) => eb.or([eb('officer_live.native_fix_at', 'is', null), eb('officer_live.native_fix_at', '<', eb.ref('excluded.native_fix_at'))])),
    )
    .returning('officer_id')
    .execute();
  return changed.length > 0;
}

/** After a rebuild emptied officer_live: each officer's newest native fix, from native_positions. */
export async function restoreNativeLive(db: Kysely<Tables>): Promise<void> {
  const newest = await db
    .selectFrom('native_positions')
    .select(['officer_id', (eb) => eb.fn.max('fix_at').as('fix_at')])
    .groupBy('officer_id')
    .execute();
  for (const { officer_id, fix_at } of newest) {
    const fix = await db
      .selectFrom('native_positions')
      .select(['fix_at', 'lat', 'lon', 'accuracy'])
      .where('officer_id', '=', officer_id)
      .where('fix_at', '=', fix_at)
      .executeTakeFirst();
    if (fix) await mergeNativeFix(db, officer_id, { fixAt: fix.fix_at, lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy });
  }
}
