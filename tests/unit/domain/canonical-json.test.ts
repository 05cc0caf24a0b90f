import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.js';
import { newId } from '../../../src/domain/ids.js';
import { generateDeviceKeys, sealRecord, signingBytes } from '../../../src/domain/record-crypto.js';
import type { UnsignedRecord } from '../../../src/domain/records.js';
import { loadTrack, TRACE_FILES } from '../../../src/simulator/traces.js';

/** What the reference package gives for a value: its text, or that it refused. */
function reference(value: unknown): string | 'throws' {
  try {
    return canonicalize(value) ?? 'throws';
  } catch {
    return 'throws';
  }
}

function ours(value: unknown): string | 'throws' {
  try {
    return canonicalJson(value);
  } catch {
    return 'throws';
  }
}

// Keys that a naive copy would get wrong: integer-like keys come first in an engine's objects,
// __proto__ would set a prototype, and astral or lone-surrogate keys test UTF-16 order.
const trickyKey = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('__proto__', '0', '1', '10', '9', '01', '-1', '1e3', '\\ud800', 'a\ud800', '\u{1f600}', '\uff61'),
);
const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
);
const { value: tricky } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value')), fc.dictionary(trickyKey, tie('value'))),
}));

describe('canonical JSON (RFC 8785)', () => {
  it('writes exactly what the canonicalize package writes for any JSON value, in any script', () => {
    for (const stringUnit of ['grapheme', 'binary'] as const) {
      fc.assert(
        fc.property(fc.jsonValue({ stringUnit }), (value) => {
          expect(ours(value)).toBe(reference(value));
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('agrees with the package on tricky keys, lone surrogates, -0, NaN and Infinity, refusing what it refuses', () => {
    fc.assert(
      fc.property(tricky, (value) => {
        expect(ours(value)).toBe(reference(value));
      }),
      { numRuns: 3000 },
    );
    expect(ours({ b: [NaN] })).toBe('throws');
    expect(ours({ a: 'x\udc00' })).toBe('throws');
    expect(ours({ '10': 1, '9': 2, a: -0 })).toBe('{"10":1,"9":2,"a":0}');
  });

  it('gives every record made from a real GPS trace the same bytes, hash and signature input as the package', async () => {
    const keys = await generateDeviceKeys();
    const deviceId = newId();
    const shiftId = newId();
    let prev = '';
    const track = loadTrack(TRACE_FILES.osakaWalk).slice(0, 300);
    for (const [i, point] of track.entries()) {
      const at = new Date(point.time ?? Date.UTC(2026, 10, 29, 8, 0, i)).toISOString();
      const unsigned = {
        id: newId(),
        kind: 'position',
        deviceId,
        officerId: 'J001',
        seq: i + 1,
        at,
        body: { shiftId, lat: point.lat, lon: point.lon, accuracy: 4.7 + (i % 7), altitude: point.ele ?? null, speed: i % 3 ? 1.3 : undefined, fixAt: at },
        prev,
      } as UnsignedRecord;
      const sealed = await sealRecord(unsigned, keys.privateKey);
      // As the server sees it: parsed back from the JSON the device sent.
      const received = JSON.parse(JSON.stringify(sealed)) as typeof sealed;
      const { hash: _h, sig: _s, ...rest } = received;
      expect(new TextDecoder().decode(signingBytes(received))).toBe(canonicalize(rest));
      prev = sealed.hash;
    }
  });
});
