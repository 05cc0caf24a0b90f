import { generateDeviceKeys, sealRecord } from '../../src/domain/record-crypto.js';
import type { BodyOf, RecordKind, RecordOf, UnsignedRecord } from '../../src/domain/records.js';
import { SimDevice } from '../../src/simulator/device.js';
import type { Client } from './harness.js';

let deviceClock: () => Date = () => new Date();

/**
 * The time devices stamp records with by default. Integration servers run on a fixed clock (the
 * suite's answers must not depend on its date), so `startServer` points this at that clock plus
 * the real seconds since: a phone in step with its server, as the push rules expect.
 */
export function setDeviceClock(now: () => Date): void {
  deviceClock = now;
}

/** Now, by the device clock above. */
export function deviceNow(): Date {
  return deviceClock();
}

/** A device as the app makes one (the simulator's, on the suite's device clock), for driving the server from tests and benches. */
export class TestDevice extends SimDevice {
  static override async create(officerId: string): Promise<TestDevice> {
    return new TestDevice(officerId, await generateDeviceKeys());
  }

  async register(client: Client): Promise<Response> {
    return client.request('POST', '/api/devices', await this.registration());
  }

  /** The next record of this device's chain, sealed; `at` defaults to now. */
  override next<K extends RecordKind>(kind: K, body: BodyOf<K>, at = deviceClock()): Promise<RecordOf<K>> {
    return super.next(kind, body, at);
  }

  /** Seals an arbitrary unsigned record with this device's key (for forging tests). */
  seal(unsigned: UnsignedRecord): Promise<RecordOf<RecordKind>> {
    return sealRecord(unsigned, this.keys.privateKey) as Promise<RecordOf<RecordKind>>;
  }
}

/** A plausible position body near Huicheng. */
export function positionBody(shiftId: string, i: number, at = deviceClock()): BodyOf<'position'> {
  return { shiftId, lat: 23.11 + i * 1e-5, lon: 114.41 + i * 1e-5, accuracy: 8, speed: 1.2, heading: 90, fixAt: at.toISOString() };
}
