import type { Kysely } from 'kysely';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { BlobPutResponse } from '../../domain/protocol/blobs.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { sha256Hex, type BlobStore } from './blob-store.js';

// Uploads into the blob store and who may read a blob back. The blobs table is the index of
// what is held complete (ingest asks it whether a record's photos are here); pieces of uploads
// under way wait in blob_chunks, per uploader, until the last one arrives.

type Db = Kysely<Tables>;

/** Pieces of an upload untouched this long are dropped when their uploader starts another: a phone that gave up never returns for them. */
const STALE_PIECES_MS = 7 * 24 * 3600_000;

/** A piece of a blob as a PUT carries it: the whole blob when `range` is absent. */
export interface Piece {
  bytes: Buffer;
  range?: { start: number; total: number };
}

/** Bytes of `sha256` this user has sent so far: the whole size once it is held and theirs, else their pieces. */
export async function receivedBytes(db: Db, user: SessionUser, sha256: string): Promise<number> {
  const held = await db.selectFrom('blobs').select('size').where('sha256', '=', sha256).executeTakeFirst();
  if (held && (await mayFetch(db, user, sha256))) return held.size;
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
  maxBytes: number,
  now: Date,
): Promise<BlobPutResponse> {
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
 * incidents they reported and the records they made, a leader their squad's, a supervisor or
 * admin their unit's), and its uploader while no stored incident names it yet.
 */
export async function mayFetch(db: Db, user: SessionUser, sha256: string): Promise<boolean> {
  const named = await db
    .selectFrom('incident_photos as p')
    .innerJoin('incidents as i', 'i.incident_id', 'p.incident_id')
    .innerJoin('records as r', 'r.id', 'p.record_id')
    .select(['i.officer_id', 'i.squad_id', 'i.unit_id', 'r.officer_id as named_by'])
    .where('p.sha256', '=', sha256)
    .execute();
  // Named only by an update whose incident's report has not arrived: still the uploader's alone.
  if (named.length === 0) {
    const uploader = await db.selectFrom('blob_uploaders').select('user_id').where('sha256', '=', sha256).where('user_id', '=', user.id).executeTakeFirst();
    return !!uploader;
  }
  return named.some((n) => {
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
}

/** The type a blob is served as, read from its first bytes (never from what the uploader claimed). */
function sniffType(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
