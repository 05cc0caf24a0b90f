import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { authenticatedLinks, walkChain, type ChainHead, type ChainLink, type ChainReport } from '../../domain/chain.js';
import { backdating } from '../../domain/backdating.js';
import type { AuditTrackResponse, EquipmentCount, Revocation, TrackingMark, TrackPoint, TrackVerification } from '../../domain/protocol/track-audit.js';
import type { SignedRecord } from '../../domain/records.js';
import type { Tables } from '../db/schema.js';
import type { DeviceKeys } from '../sync/device-keys.js';
import { hashMatches, signatureValid } from '../sync/seal-verifier.js';
import { parseStored } from './reader.js';

// An officer's audited track read back from the verbatim records, and the chains behind it
// re-verified (DESIGN.md): what `GET /api/audit/track` streams and what the shift list's cached
// verdicts (shift-verdicts.ts) are computed from, so both judge the same evidence the same way.

/** A page cursor: the `at` and id of the last record of the page before. */
export const CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f-]{36})$/;

/** One page of an officer's window: which records of which devices, and what is known of their chains. */
export interface TrackPage {
  from: string;
  to: string;
  /** The cursor of the page after, or null on the last page. */
  next: string | null;
  byDevice: ReadonlyMap<string, DevicePage>;
  keys: ReadonlyMap<string, { key: KeyObject }>;
  before: ReadonlyMap<string, ChainHead>;
  chains: ReadonlyMap<string, DeviceChain>;
}

/** What follows a track's points: tracking marks, the shifts started and ended, the verification and the devices reported lost. */
type TrackTail = Pick<AuditTrackResponse, 'tracking' | 'shiftStarts' | 'shiftEnds' | 'verification' | 'revocations'>;

/**
 * The page's members in device-time order (at, then id): ids and places only, never the
 * records' text, so a long window is never loaded whole; and each device's chain around them.
 */
export async function readTrackPage(
  db: Kysely<Tables>,
  devices: DeviceKeys,
  query: { officerId: string; from: string; to: string; after?: string | undefined; limit: number },
): Promise<TrackPage> {
  const { from, to, limit } = query;
  const after = query.after ? CURSOR_RE.exec(query.after) : null;
  let pageQuery = db
    .selectFrom('records')
    .select(['id', 'at', 'device_id', 'seq', 'kind'])
    .where('officer_id', '=', query.officerId)
    .where('at', '>=', from)
    .where('at', '<=', to);
  if (after?.[1] && after[2]) {
    const [afterAt, afterId] = [after[1], after[2]];
    pageQuery = pageQuery.where((eb) => eb.or([eb('at', '>', afterAt), eb.and([eb('at', '=', afterAt), eb('id', '>', afterId)])]));
  }
  const members = await pageQuery
    .orderBy('at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const more = members.length > limit;
  const last = more ? members[limit - 1] : undefined;
  const next = last ? `${last.at}_${last.id}` : null;
  const byDevice = new Map<string, DevicePage>();
  for (const row of more ? members.slice(0, limit) : members) {
    const seq = Number(row.seq);
    const page = byDevice.get(row.device_id);
    if (!page) byDevice.set(row.device_id, { ids: new Set([row.id]), firstSeq: seq, lastSeq: seq, firstPositionAt: row.kind === 'position' ? row.at : null });
    else {
      page.ids.add(row.id);
      page.firstSeq = Math.min(page.firstSeq, seq);
      page.lastSeq = Math.max(page.lastSeq, seq);
      if (row.kind === 'position' && (page.firstPositionAt === null || row.at < page.firstPositionAt)) page.firstPositionAt = row.at;
    }
  }
  const [keys, before, chains] = await Promise.all([devices.lookup(byDevice.keys()), recordsBefore(db, byDevice), deviceChains(db, [...byDevice.keys()])]);
  return { from, to, next, byDevice, keys, before, chains };
}

/**
 * The page's points, a chunk of at most CHUNK_RECORDS records of a device at a time, as they are
 * read and verified; then, returned, the tracking marks, the shifts and the verification, when
 * every chain has been walked. Devices in the order they were first used (by their first point);
 * each device's points in seq order.
 */
export async function* verifiedTrack(db: Kysely<Tables>, page: TrackPage): AsyncGenerator<TrackPoint[], TrackTail> {
  const verification: TrackVerification = { ok: true, devices: [] };
  const tracking: TrackingMark[] = [];
  const shiftStarts: AuditTrackResponse['shiftStarts'] = [];
  const shiftEnds: AuditTrackResponse['shiftEnds'] = [];
  const revocations: Revocation[] = [];
  // Devices in the order they were first used (by their first point); each device's points in seq order.
  const ordered = [...page.byDevice].sort(([, a], [, b]) => (a.firstPositionAt ?? '').localeCompare(b.firstPositionAt ?? ''));
  for (const [deviceId, devicePage] of ordered) {
    const key = page.keys.get(deviceId)?.key;
    const chainOfDevice = page.chains.get(deviceId);
    const dates = { registeredAt: chainOfDevice?.registeredAt ?? null, revokedAt: chainOfDevice?.revokedAt ?? null };
    const revocation = dates.revokedAt ? { deviceId, revokedAt: dates.revokedAt, receivedAfter: 0 } : null;
    // The record before the window, so a deletion right at its start still shows.
    const previous = devicePage.firstSeq === 1 ? { seq: 0, hash: '' } : page.before.get(deviceId);
    const device = {
      deviceId,
      records: 0,
      gaps: [] as ChainReport['gaps'],
      brokenLinks: [] as number[],
      badSignatures: [] as number[],
      hashMismatches: [] as number[],
      acknowledged: chainOfDevice?.acknowledged ?? { seq: 0, hash: '' },
      storedSeq: chainOfDevice?.storedSeq ?? 0,
      truncated: chainOfDevice?.truncated ?? false,
      last: { seq: 0, hash: '' },
    };
    if (!previous) device.gaps.push({ from: devicePage.firstSeq - 1, to: devicePage.firstSeq - 1 });
    let head: ChainHead = previous ?? { seq: devicePage.firstSeq - 1, hash: '' };
    let linkHead = previous;
    for (let readUpTo = devicePage.firstSeq - 1; readUpTo < devicePage.lastSeq;) {
      const rows = await db
        .selectFrom('records')
        .select(['id', 'seq', 'hash', 'record', 'received_at'])
        .where('device_id', '=', deviceId)
        .where('seq', '>', readUpTo)
        .where('seq', '<=', devicePage.lastSeq)
        .orderBy('seq')
        .limit(CHUNK_RECORDS)
        .execute();
      const lastRow = rows.at(-1);
      if (!lastRow) break;
      readUpTo = Number(lastRow.seq);
      // Only the page's own records: the device's seqs between may lie outside the window.
      const links: StoredLink[] = rows.flatMap((row) => {
        if (!devicePage.ids.has(row.id)) return [];
        const parsed = parseStored(row.record);
        return [{ seq: Number(row.seq), hash: row.hash, receivedAt: row.received_at, record: 'record' in parsed ? parsed.record : null }];
      });
      if (links.length === 0) continue;
      const chainOfChunk = chainLinks(links, linkHead);
      const chain = walkChain(chainOfChunk, head);
      const lastLink = chainOfChunk[chainOfChunk.length - 1];
      if (lastLink) head = linkHead = { seq: lastLink.seq, hash: lastLink.hash };
      device.records += links.length;
      device.gaps.push(...chain.gaps);
      device.brokenLinks.push(...chain.brokenLinks);
      const seals = await sealFailures(chainOfChunk, key);
      device.badSignatures.push(...seals.badSignatures);
      device.hashMismatches.push(...seals.hashMismatches);
      const points: TrackPoint[] = [];
      for (const { record: r, receivedAt } of links) {
        if (revocation && receivedAt > revocation.revokedAt) revocation.receivedAfter++;
        if (r?.kind === 'tracking') tracking.push({ id: r.id, deviceId, seq: r.seq, at: r.at, state: r.body.state, reason: r.body.reason });
        if (r?.kind === 'shift.start')
          shiftStarts.push({
            shiftId: r.body.shiftId,
            at: r.at,
            vehicle: r.body.vehicle ?? null,
            zoneIds: r.body.zoneIds,
            equipment: r.body.equipment.map(counted),
          });
        if (r?.kind === 'shift.end')
          shiftEnds.push({
            shiftId: r.body.shiftId,
            at: r.at,
            returned: r.body.equipmentReturned.map(counted),
            missing: (r.body.missing ?? []).map((m) => ({ ...counted(m), reason: m.reason ?? null })),
          });
        if (r?.kind !== 'position') continue;
        const point: TrackPoint = {
          id: r.id,
          deviceId,
          seq: r.seq,
          at: r.at,
          fixAt: r.body.fixAt,
          lat: r.body.lat,
          lon: r.body.lon,
          accuracy: r.body.accuracy,
          speed: r.body.speed ?? null,
          heading: r.body.heading ?? null,
          altitude: r.body.altitude ?? null,
          receivedAt,
          flag: backdating(r.at, receivedAt, dates),
        };
        points.push(point);
      }
      if (points.length) yield points;
    }
    device.last = { seq: head.seq, hash: head.hash };
    if (device.gaps.length || device.brokenLinks.length || device.badSignatures.length || device.hashMismatches.length || device.truncated)
      verification.ok = false;
    verification.devices.push(device);
    if (revocation) revocations.push(revocation);
  }
  verification.devices.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  tracking.sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.seq - b.seq);
  shiftStarts.sort((a, b) => a.at.localeCompare(b.at));
  shiftEnds.sort((a, b) => a.at.localeCompare(b.at));
  revocations.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  return { tracking, shiftStarts, shiftEnds, verification, revocations };
}

/** One stored row of a device's chain: its record, or null when the stored text no longer passes the schema. */
interface StoredLink {
  seq: number;
  hash: string;
  receivedAt: string;
  record: SignedRecord | null;
}

/** One device's part of a page: which records, between which seqs, and when its first point was made. */
interface DevicePage {
  ids: Set<string>;
  firstSeq: number;
  lastSeq: number;
  firstPositionAt: string | null;
}

/** Stored records read and verified at a time, per device: what one answer holds in memory. */
const CHUNK_RECORDS = 500;

/**
 * The records of one chunk whose seal fails. Each record's hash is checked against its content;
 * signatures as push checks them (DESIGN.md): one per unbroken run, whose last signature covers
 * every earlier hash of the run through prev, and each record alone only when that one fails.
 * So a record whose own signature was swapped but whose content a later signature of its run
 * vouches for is authentic, as push would take it; a forged or re-signed one never is. (A 12-hour
 * shift, 8,643 records: every signature one by one took 1.1–1.6 s of a loaded 2-core machine,
 * each hash and one signature per run 90–150 ms; bench audit.)
 */
async function sealFailures(links: readonly AuditLink[], key: KeyObject | undefined): Promise<{ badSignatures: number[]; hashMismatches: number[] }> {
  const hashMismatches: number[] = [];
  const hashed: Array<AuditLink & { stored: { record: SignedRecord } }> = [];
  for (const link of links) {
    const { record } = link.stored;
    // Everything stored passed the schema at push: text that no longer does was altered since.
    if (record === null || !hashMatches(record)) hashMismatches.push(link.seq);
    else hashed.push({ ...link, stored: { ...link.stored, record } });
  }
  const authentic = key ? await authenticatedLinks(hashed, (link) => signatureValid(link.stored.record, key)) : new Set();
  const badSignatures = hashed.filter((link) => !authentic.has(link)).map((link) => link.seq);
  return { badSignatures, hashMismatches };
}

/** What the server knows of a device's whole chain, whatever the window: see TrackVerification. */
interface DeviceChain {
  registeredAt: string;
  /** When an admin reported the device lost, or null. */
  revokedAt: string | null;
  acknowledged: ChainHead;
  storedSeq: number;
  truncated: boolean;
}

/**
 * Each device's acknowledged head beside its stored chain's tail. The tail is read over the
 * whole chain, not the window: a window that ends before the deleted tail must still show it.
 */
async function deviceChains(db: Kysely<Tables>, deviceIds: readonly string[]): Promise<Map<string, DeviceChain>> {
  if (deviceIds.length === 0) return new Map();
  const [devices, tails] = await Promise.all([
    db.selectFrom('devices').select(['id', 'registered_at', 'revoked_at', 'head_seq', 'head_hash']).where('id', 'in', deviceIds).execute(),
    db
      .selectFrom('records')
      .select((eb) => ['device_id', eb.fn.max('seq').as('seq')])
      .where('device_id', 'in', deviceIds)
      .groupBy('device_id')
      .execute(),
  ]);
  const acknowledged = devices.filter((d) => Number(d.head_seq) > 0);
  const atHead =
    acknowledged.length === 0
      ? []
      : await db
          .selectFrom('records')
          .select(['device_id', 'record'])
          .where((eb) => eb.or(acknowledged.map((d) => eb.and([eb('device_id', '=', d.id), eb('seq', '=', d.head_seq)]))))
          .execute();
  const storedSeqs = new Map(tails.map((t) => [t.device_id, Number(t.seq)]));
  // The record stored at the acknowledged seq must be the very record acknowledged: its content hashing to head_hash.
  const headIntact = new Set(
    atHead.flatMap((row) => {
      const parsed = parseStored(row.record);
      const head = acknowledged.find((d) => d.id === row.device_id);
      return 'record' in parsed && head && parsed.record.hash === head.head_hash && hashMatches(parsed.record) ? [row.device_id] : [];
    }),
  );
  return new Map(
    devices.map((d) => {
      const head = { seq: Number(d.head_seq), hash: d.head_hash };
      const storedSeq = storedSeqs.get(d.id) ?? 0;
      const truncated = head.seq > 0 && (storedSeq < head.seq || !headIntact.has(d.id));
      return [d.id, { registeredAt: d.registered_at, revokedAt: d.revoked_at, acknowledged: head, storedSeq, truncated }];
    }),
  );
}

/** For each device whose window starts after seq 1, the stored record just before it: one query for all. */
async function recordsBefore(db: Kysely<Tables>, byDevice: ReadonlyMap<string, DevicePage>): Promise<Map<string, ChainHead>> {
  const wanted = [...byDevice].flatMap(([deviceId, page]) => (page.firstSeq > 1 ? [{ deviceId, seq: page.firstSeq - 1 }] : []));
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('records')
    .select(['device_id', 'seq', 'hash'])
    .where((eb) => eb.or(wanted.map((w) => eb.and([eb('device_id', '=', w.deviceId), eb('seq', '=', w.seq)]))))
    .execute();
  return new Map(rows.map((r) => [r.device_id, { seq: Number(r.seq), hash: r.hash }]));
}

/** A stored record's place in its chain, with the record. */
type AuditLink = ChainLink & { stored: StoredLink };

/**
 * The chain as stored. Each record sits at the seq of its row, which orders the device's history
 * as served, and links by the prev and hash it carries: rows whose seqs were swapped read as
 * broken links even when the records' own text is untouched. An unreadable record keeps its
 * place by the seq and hash stored beside it and is taken to link to its predecessor: it is
 * already reported, and must not also read as a gap or a broken link.
 */
function chainLinks(links: readonly StoredLink[], previous: ChainHead | undefined): AuditLink[] {
  let last = previous;
  return links.map((stored) => {
    const { seq, hash, record } = stored;
    const link = { seq, hash: record?.hash ?? hash, prev: record ? record.prev : last && last.seq === seq - 1 ? last.hash : '', stored };
    last = { seq: link.seq, hash: link.hash };
    return link;
  });
}

/** An item as the audit lists it: absent fields as null. */
const counted = (e: { item: string; serial?: string | undefined; rounds?: number | undefined }): EquipmentCount => ({
  item: e.item,
  serial: e.serial ?? null,
  rounds: e.rounds ?? null,
});
