import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { BlobPutResponse } from '../../domain/protocol/blobs.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { FIELD_INCIDENTS_BACK_MS, fieldIncidentRows } from '../records/incident-view.js';
import type { UnreadableSink } from '../records/reader.js';
import { sha256Hex, type BlobStore } from './blob-store.js';

// Uploads into the blob store and who may read a blob back. The blobs table is the index of
// what is held complete (ingest asks it whether a record's photos are here); pieces of uploads
// under way wait in blob_chunks, per uploader, until the last one arrives.

type Db = Kysely<Tables>;

/** Pieces of an upload untouched this long are dropped when their uploader starts another: a phone that gave up never returns for them. */
const STALE_PIECES_MS = 7 * 24 * 3600_000;

/**
 * How much blob storage the server grants (issue 15). Photos arrive re-encoded at 2048 px (about
 * 0.5–1.5 MB with their thumbnails), so the defaults are generous: 20 GiB per unit (some 20,000
 * incidents' photos), 2 GiB per officer in any 30 days (some 70 photos a day), 15 MiB per blob.
 * Past a quota a PUT answers 507 with the reason; the device keeps the photo and its record and
 * tries again later, so nothing is lost while an admin makes room or raises the limit.
 */
export interface BlobLimits {
  /** BLOB_MAX_BYTES: the largest single blob (413 beyond). */
  maxBytes: number;
  /** BLOB_UNIT_QUOTA_BYTES: all blobs the unit's people uploaded. */
  unitBytes: number;
  /** BLOB_OFFICER_QUOTA_BYTES: what one person uploaded in the last OFFICER_QUOTA_WINDOW_MS. */
  officerBytes: number;
}

const GIB = 1024 ** 3;
export const DEFAULT_BLOB_LIMITS: BlobLimits = { maxBytes: 15 * 1024 * 1024, unitBytes: 20 * GIB, officerBytes: 2 * GIB };
/** The window a person's quota counts over. */
const OFFICER_QUOTA_WINDOW_MS = 30 * 24 * 3600_000;

/** Refuses a new blob of `size` bytes that would take the unit or the uploader past their quota (507); a held blob costs nothing. */
async function checkQuota(db: Db, user: SessionUser, sha256: string, size: number, limits: BlobLimits, now: Date): Promise<void> {
  if (await db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) return;
  const since = new Date(now.getTime() - OFFICER_QUOTA_WINDOW_MS).toISOString();
  const [unit, own] = await Promise.all([
    db
      .selectFrom('blobs as b')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('b.size'), eb.lit(0)).as('bytes'))
      .where('b.sha256', 'in', (eb) =>
        eb.selectFrom('blob_uploaders as bu').innerJoin('users as u', 'u.id', 'bu.user_id').select('bu.sha256').where('u.unit_id', '=', user.unitId),
      )
      .executeTakeFirst(),
    db
      .selectFrom('blobs as b')
      .innerJoin('blob_uploaders as bu', 'bu.sha256', 'b.sha256')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('b.size'), eb.lit(0)).as('bytes'))
      .where('bu.user_id', '=', user.id)
      .where('bu.at', '>=', since)
      .executeTakeFirst(),
  ]);
  const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
  if (Number(unit?.bytes ?? 0) + size > limits.unitBytes)
    throw new HttpError(
      507,
      'storage-full',
      `the unit's photo storage is full (${mb(limits.unitBytes)}); tell your admin. Nothing was stored; the device keeps the photo.`,
      {
        storage: 'unit',
      },
    );
  if (Number(own?.bytes ?? 0) + size > limits.officerBytes)
    throw new HttpError(
      507,
      'storage-full',
      `you have uploaded ${mb(limits.officerBytes)} of photos in 30 days, your limit; tell your admin. Nothing was stored; the device keeps the photo.`,
      { storage: 'officer' },
    );
}

/** A piece of a blob as a PUT carries it: the whole blob when `range` is absent. */
export interface Piece {
  bytes: Buffer;
  range?: { start: number; total: number };
}

/** Bytes of `sha256` this user has sent so far: the whole size once it is held and theirs, else their pieces. */
export async function receivedBytes(db: Db, user: SessionUser, sha256: string, now: Date, onUnreadable: UnreadableSink): Promise<number> {
  const held = await db.selectFrom('blobs').select('size').where('sha256', '=', sha256).executeTakeFirst();
  if (held && (await mayFetch(db, user, sha256, now, onUnreadable))) return held.size;
  return piecesUpto(db, user.id, sha256);
}

async function piecesUpto(db: Db, userId: string, sha256: string): Promise<number> {
  const row = await db
    .selectFrom('blob_chunks')
    .select((eb) => eb.fn.max('upto').as('upto'))
    .where('user_id', '=', userId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return Number(row?.upto ?? 0);
}

/**
 * Takes one PUT. Pieces must come in order (each starts where the held ones end) and agree on
 * the total; the blob is hashed once whole, and kept only when the hash is its name. Bytes the
 * server holds already are not stored again; the uploader is noted either way, since they have
 * now shown they have the bytes.
 */
export async function receivePiece(
  db: Db,
  store: BlobStore,
  user: SessionUser,
  sha256: string,
  piece: Piece,
  limits: BlobLimits,
  now: Date,
): Promise<BlobPutResponse> {
  const { maxBytes } = limits;
  const at = now.toISOString();
  let whole: Buffer;
  if (!piece.range) {
    if (piece.bytes.length === 0) throw new HttpError(400, 'bad-request', 'the blob is empty');
    whole = piece.bytes;
  } else {
    const { start, total } = piece.range;
    if (total > maxBytes) throw new HttpError(413, 'payload-too-large', `a blob is at most ${maxBytes} bytes; this one is ${total}`);
    const held = await piecesUpto(db, user.id, sha256);
    if (start !== held) throw new HttpError(409, 'conflict', `the server holds ${held} bytes of this blob: send from byte ${held}`);
    if (held > 0) {
      const earlier = await db.selectFrom('blob_chunks').select('total').where('user_id', '=', user.id).where('sha256', '=', sha256).executeTakeFirst();
      if (earlier && earlier.total !== total) throw new HttpError(409, 'conflict', `earlier pieces said the blob is ${earlier.total} bytes, not ${total}`);
    }
    if (start === 0) {
      // Refused before any piece is kept: an upload that cannot end leaves nothing behind.
      await checkQuota(db, user, sha256, total, limits, now);
      const stale = new Date(now.getTime() - STALE_PIECES_MS).toISOString();
      await db.deleteFrom('blob_chunks').where('user_id', '=', user.id).where('at', '<', stale).execute();
    }
    const upto = start + piece.bytes.length;
    if (upto < total) {
      await db
        .insertInto('blob_chunks')
        .values({ user_id: user.id, sha256, start, upto, total, bytes: piece.bytes, at })
        .onConflict((oc) => oc.columns(['user_id', 'sha256', 'start']).doNothing())
        .execute();
      return { sha256, received: upto, total, complete: false };
    }
    const pieces = await db.selectFrom('blob_chunks').select('bytes').where('user_id', '=', user.id).where('sha256', '=', sha256).orderBy('start').execute();
    whole = Buffer.concat([...pieces.map((p) => Buffer.from(p.bytes)), piece.bytes]);
  }
  if (whole.length > maxBytes) throw new HttpError(413, 'payload-too-large', `a blob is at most ${maxBytes} bytes; this one is ${whole.length}`);
  const forget = () => db.deleteFrom('blob_chunks').where('user_id', '=', user.id).where('sha256', '=', sha256).execute();
  if (sha256Hex(whole) !== sha256) {
    await forget();
    throw new HttpError(400, 'bad-request', 'the bytes do not hash to the name they were sent under; nothing was kept');
  }
  // Checked again whole: other uploads may have filled the quota while these pieces came.
  try {
    await checkQuota(db, user, sha256, whole.length, limits, now);
  } catch (error) {
    if (piece.range) await forget();
    throw error;
  }
  // Bytes first, then the row that says they are here: ingest trusts the row.
  await store.put(sha256, whole);
  await db
    .insertInto('blobs')
    .values({ sha256, size: whole.length, type: sniffType(whole), stored_at: at })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  await db
    .insertInto('blob_uploaders')
    .values({ sha256, user_id: user.id, at })
    .onConflict((oc) => oc.columns(['sha256', 'user_id']).doNothing())
    .execute();
  await forget();
  return { sha256, received: whole.length, total: whole.length, complete: true };
}

/**
 * Who may fetch a blob: whoever may see an incident whose records name it (an officer the
 * incidents they reported, updated or were sent to, a leader their squad's, a supervisor or
 * admin their unit's), and its uploader while no stored incident names it yet.
 */
export async function mayFetch(db: Db, user: SessionUser, sha256: string, now: Date, onUnreadable: UnreadableSink): Promise<boolean> {
  const named = await db
    .selectFrom('incident_photos as p')
    .innerJoin('incidents as i', 'i.incident_id', 'p.incident_id')
    .innerJoin('records as r', 'r.id', 'p.record_id')
    .select(['i.incident_id', 'i.officer_id', 'i.squad_id', 'i.unit_id', 'r.officer_id as named_by'])
    .where('p.sha256', '=', sha256)
    .execute();
  // Named only by an update whose incident's report has not arrived: still the uploader's alone.
  if (named.length === 0) {
    const uploader = await db.selectFrom('blob_uploaders').select('user_id').where('sha256', '=', sha256).where('user_id', '=', user.id).executeTakeFirst();
    return !!uploader;
  }
  const allowed = named.some((n) => {
    switch (user.role) {
      case 'officer':
        return n.officer_id === user.id || n.named_by === user.id;
      case 'leader':
        return n.squad_id !== null && n.squad_id === user.squadId && n.unit_id === user.unitId;
      case 'supervisor':
      case 'admin':
        return n.unit_id === user.unitId;
    }
  });
  if (allowed || user.role !== 'officer') return allowed;
  // An officer also sees the photos of the incidents their device hears of (ones they updated or were sent to).
  const since = new Date(now.getTime() - FIELD_INCIDENTS_BACK_MS).toISOString();
  const field = await fieldIncidentRows(db, user, since, onUnreadable);
  return field.some((f) => named.some((n) => n.incident_id === f.incident_id));
}

/** The type a blob is served as, read from its first bytes (never from what the uploader claimed). */
function sniffType(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
