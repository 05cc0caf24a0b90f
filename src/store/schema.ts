import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChainHead } from '../domain/chain.js';
import type { SessionUser } from '../domain/protocol/auth.js';
import type { IncidentState, PhotoRef } from '../domain/incidents.js';
import type { Change } from '../domain/protocol/sync.js';
import type { BodyOf } from '../domain/records.js';
import type { SignedRecord } from '../domain/records.js';
import type { SecretKind } from '../domain/protocol/device-lock.js';
import type { Sealed } from './vault.js';

/** Name and version of the device database; bump the version with a new `upgrade` step. */
const DB_NAME = 'xunfang';
const DB_VERSION = 6;

/** Store names (SCREAMING_SNAKE, per STYLE.md). */
export const SESSION = 'SESSION';
export const DEVICE = 'DEVICE';
export const OUTBOX = 'OUTBOX';
export const REJECTED = 'REJECTED';
export const LOCAL = 'LOCAL';
export const META = 'META';
export const TRACK = 'TRACK';
export const CHECKIN = 'CHECKIN';
export const PHOTO = 'PHOTO';
export const INCIDENT = 'INCIDENT';
export const KEYRING = 'KEYRING';

/**
 * How a store keeps an entry (issue 16): the fields its keys and indexes need in clear, the rest
 * AES-GCM sealed under the officer's data key (vault.ts). An entry written before version 6 is
 * still whole and clear (no `sealed`); the first unlock seals it (seal-legacy.ts).
 */
type Stored<T, Clear extends keyof T> = (Pick<T, Clear> & { sealed: Sealed }) | (T & { sealed?: undefined });

/** The last signed-in user, so a reload with no network still opens their home (sealed: only the id is clear). */
export interface SessionEntry {
  key: 'current';
  officerId: string;
  user: SessionUser;
  /** The last password sign-in: a device online asks for the password again after the unit's hours. */
  signedInAt: string;
}

/**
 * An officer's data key on this device, only ever stored wrapped: by the key derived from their
 * PIN (or passphrase) and by the device's recovery key, which the server holds. Five wrong PINs
 * delete `pinWrapped`; then only a password sign-in (the recovery key) opens it again.
 */
export interface KeyringEntry {
  officerId: string;
  secret: SecretKind;
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  pinWrapped: Sealed | null;
  recoveryWrapped: Sealed;
  /** Wrong PINs in a row. */
  failures: number;
  /** Wrong PINs not yet told to the server's audit log. */
  unreported: Array<{ at: string; count: number }>;
  createdAt: string;
}

/** One officer's identity on this device: their own key pair and record chain. */
export interface DeviceEntry {
  officerId: string;
  deviceId: string;
  /** Non-extractable: usable for signing, never readable, even by us. */
  privateKey: CryptoKey;
  publicKeyJwk: JsonWebKey;
  head: ChainHead;
  /** True once the server has the public key. */
  registered: boolean;
}

/** 0 goes first (SOS), then everything else in seq order. */
export type Priority = 0 | 1;

export interface OutboxEntry {
  id: string;
  officerId: string;
  priority: Priority;
  seq: number;
  state: 'pending' | 'in-flight';
  record: SignedRecord;
  queuedAt: string;
  attempts: number;
  /** Bytes of the record's JSON, kept in clear so a batch is sized without opening it. */
  size?: number;
  /** The photos and thumbnails (SHA-256) the record names, in clear so a photo is kept while a record waits for it. */
  photos?: string[];
}

/** A record the server refused for good, kept with its reason for the officer to see and export. */
export interface RejectedEntry {
  id: string;
  officerId: string;
  record: SignedRecord;
  reason: string;
  rejectedAt: string;
}

/** A local copy of something the server sent through pull, per officer (scopes differ). */
export interface LocalEntry {
  officerId: string;
  entity: Change['entity'];
  id: string;
  data: Record<string, unknown>;
}

/**
 * One point of the officer's own route this shift, kept beside the position record that carries
 * it (the outbox forgets records once acknowledged; the route on screen must not). A `gap` entry
 * marks where tracking paused, so the route is drawn broken there, never bridged.
 */
export interface TrackEntry {
  shiftId: string;
  seq: number;
  kind: 'fix' | 'gap';
  lat: number;
  lon: number;
  accuracy: number;
  /** Degrees clockwise from true north and m/s, when the fix had them (older entries lack both). */
  heading?: number | null;
  speed?: number | null;
  fixAt: string;
  /** The position record behind a fix: evidence for a check-in made here. */
  recordId?: string;
}

/**
 * A check-in this device made during a shift, kept beside its record (like TRACK) so the
 * officer's due list survives the outbox forgetting acknowledged records.
 */
export interface CheckinEntry {
  shiftId: string;
  seq: number;
  recordId: string;
  checkpointId: string;
  method: 'geofence' | 'manual';
  enteredAt: string;
  dwellS: number;
}

/**
 * A photo made ready for an incident (resized, re-encoded, EXIF gone), kept until the server
 * holds it and the record naming it is acknowledged; then it leaves the device.
 */
export interface PhotoEntry extends PhotoRef {
  officerId: string;
  blob: Blob;
  /** True once the server said it holds every byte: it is never sent again. */
  uploaded: boolean;
  storedAt: string;
  /** For a thumbnail, the photo it shows small (the waiting count counts photos, not thumbnails). */
  thumbOf?: string;
}

/** One step of an incident as this device said it, kept beside its record like CHECKIN. */
export interface IncidentStep {
  recordId: string;
  at: string;
  state?: IncidentState;
  handedTo?: string;
  note?: string;
  /** Photos the update added (kept so the officer sees them before the server has them). */
  photos?: PhotoRef[];
}

/**
 * An incident this officer reported, or updated from this device, with the updates this device
 * made to it: their list survives the outbox.
 */
export interface IncidentEntry {
  officerId: string;
  incidentId: string;
  /** The report's record id; '' for an incident someone else reported. */
  recordId: string;
  reportedAt: string;
  /** Null for an incident someone else reported (this device only updated it). */
  report: BodyOf<'incident.report'> | null;
  steps: IncidentStep[];
}

/** Device state by key: `value` in clear for what is no officer's data (cursors, config), `sealed` for the rest. */
export interface MetaEntry {
  key: string;
  value?: string;
  sealed?: Sealed;
}

/** A photo as PHOTO keeps it: its bytes sealed apart from the JSON-sealable rest. */
export type StoredPhoto = Omit<PhotoEntry, 'blob'> & { blob?: Blob; sealedBlob?: Sealed };

export interface XunfangDB extends DBSchema {
  [SESSION]: { key: 'current'; value: Stored<SessionEntry, 'key' | 'officerId' | 'signedInAt'> };
  [DEVICE]: { key: string; value: DeviceEntry };
  [OUTBOX]: {
    key: string;
    value: Stored<OutboxEntry, 'id' | 'officerId' | 'priority' | 'seq' | 'state' | 'queuedAt' | 'attempts' | 'size' | 'photos'>;
    indexes: { 'by-state': [string, OutboxEntry['state'], number, number] };
  };
  [REJECTED]: { key: string; value: Stored<RejectedEntry, 'id' | 'officerId' | 'rejectedAt'>; indexes: { 'by-officer': string } };
  [LOCAL]: { key: [string, string, string]; value: Stored<LocalEntry, 'officerId' | 'entity' | 'id'> };
  [META]: { key: string; value: MetaEntry };
  [TRACK]: { key: [string, number]; value: Stored<TrackEntry, 'shiftId' | 'seq'> };
  [CHECKIN]: { key: [string, number]; value: Stored<CheckinEntry, 'shiftId' | 'seq'> };
  [PHOTO]: { key: string; value: StoredPhoto; indexes: { 'by-officer': string } };
  [INCIDENT]: { key: [string, string]; value: Stored<IncidentEntry, 'officerId' | 'incidentId'> };
  [KEYRING]: { key: string; value: KeyringEntry };
}

/** Creates or migrates the object stores; one `if` per version so old devices catch up step by step. */
function upgrade(db: IDBPDatabase<XunfangDB>, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(SESSION, { keyPath: 'key' });
  }
  if (oldVersion < 2) {
    db.createObjectStore(DEVICE, { keyPath: 'officerId' });
    const outbox = db.createObjectStore(OUTBOX, { keyPath: 'id' });
    // Pending entries of an officer come out of this index already in send order (SOS, then seq).
    outbox.createIndex('by-state', ['officerId', 'state', 'priority', 'seq']);
    const rejected = db.createObjectStore(REJECTED, { keyPath: 'id' });
    rejected.createIndex('by-officer', 'officerId');
    db.createObjectStore(LOCAL, { keyPath: ['officerId', 'entity', 'id'] });
    db.createObjectStore(META, { keyPath: 'key' });
  }
  if (oldVersion < 3) {
    db.createObjectStore(TRACK, { keyPath: ['shiftId', 'seq'] });
  }
  if (oldVersion < 4) {
    db.createObjectStore(CHECKIN, { keyPath: ['shiftId', 'seq'] });
  }
  if (oldVersion < 5) {
    db.createObjectStore(PHOTO, { keyPath: 'sha256' }).createIndex('by-officer', 'officerId');
    db.createObjectStore(INCIDENT, { keyPath: ['officerId', 'incidentId'] });
  }
  if (oldVersion < 6) {
    // Sealing what earlier versions kept in clear needs the officer's key and async WebCrypto,
    // which an upgrade transaction cannot wait for: the first unlock does it (seal-legacy.ts).
    db.createObjectStore(KEYRING, { keyPath: 'officerId' });
  }
}

/** Opens the device database. An old tab holding it closes on `versionchange` so upgrades never deadlock. */
export function openXunfangDB(name = DB_NAME): Promise<IDBPDatabase<XunfangDB>> {
  return openDB<XunfangDB>(name, DB_VERSION, {
    upgrade: (db, oldVersion) => upgrade(db, oldVersion),
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close();
    },
  });
}
