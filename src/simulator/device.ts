import { EMPTY_CHAIN, nextLink, type ChainHead } from '../domain/chain.js';
import { newId } from '../domain/ids.js';
import { exportPublicKey, generateDeviceKeys, sealRecord } from '../domain/record-crypto.js';
import type { BodyOf, RecordKind, RecordOf, UnsignedRecord } from '../domain/records.js';

/** A handheld as the app makes one (the same domain code): a non-extractable key and its record chain. */
export class SimDevice {
  head: ChainHead = EMPTY_CHAIN;
  readonly deviceId = newId();
  protected constructor(
    readonly officerId: string,
    protected readonly keys: CryptoKeyPair,
  ) {}

  static async create(officerId: string): Promise<SimDevice> {
    return new SimDevice(officerId, await generateDeviceKeys());
  }

  /** The body of `POST /api/devices`. */
  async registration(label?: string): Promise<{ deviceId: string; publicKeyJwk: JsonWebKey; label?: string }> {
    return { deviceId: this.deviceId, publicKeyJwk: await exportPublicKey(this.keys.publicKey), ...(label ? { label } : {}) };
  }

  /** The next record of this device's chain, sealed, made at `at`. */
  async next<K extends RecordKind>(kind: K, body: BodyOf<K>, at: Date): Promise<RecordOf<K>> {
    const { seq, prev } = nextLink(this.head);
    const unsigned = { id: newId(), kind, deviceId: this.deviceId, officerId: this.officerId, seq, at: at.toISOString(), body, prev } as UnsignedRecord;
    const record = (await sealRecord(unsigned, this.keys.privateKey)) as RecordOf<K>;
    this.head = { seq, hash: record.hash };
    return record;
  }
}
