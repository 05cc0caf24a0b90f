import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../src/domain/protocol/api.js';
import { positionSigningText, signingText } from '../../../src/domain/record-crypto.js';
import { parseRecord, RecordSchema, type RecordOf, type RecordParse } from '../../../src/domain/records.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../src/simulator/traces.js';

// parseRecord takes a position through a hand-written check instead of valibot: it must give
// RecordSchema's answer for every input, accepted or not, and the same reason when not.

/** RecordSchema's own verdict, shaped as parseRecord gives it. */
function schemaVerdict(input: unknown): RecordParse {
  const result = v.safeParse(RecordSchema, input);
  return result.success ? { success: true, output: result.output } : { success: false, issues: result.issues };
}

const verdict = (parse: RecordParse) => (parse.success ? { output: parse.output } : { reason: describeIssues(parse.issues) });

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const uuid = (version: string) =>
  fc
    .tuple(hex(8), hex(4), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
    .map(([a, b, c, variant, d, e]) => `${a}-${b}-${version}${c}-${variant}${d}-${e}`);
const instant = fc
  .date({ min: new Date('2020-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const sig = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 86, maxLength: 86 });

/** Values that sit on or just past an edge of some field's rule, or are the wrong type. */
const edgy = fc.oneof(
  fc.constantFrom(-0, 0, 1, -1, 90, -90, 90.0000001, 180, -180.5, 360, 360.1, 100_000, 100_001, 2_147_483_647, 2_147_483_648, 1.5),
  fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, true, '', '\0', 'x\0', '12', [], {}, [1]),
  fc.constantFrom('2019-12-31T23:59:59.999Z', '2026-02-30T00:00:00.000Z', '2026-11-29T08:00:00Z', '2026-11-29T08:00:00.000+00:00'),
  fc.constantFrom('0190a1f0-0000-6000-8000-000000000001', '0190A1F0-0000-7000-8000-000000000001', 'A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65)),
  fc.double(),
  fc.string({ maxLength: 70 }),
  fc.anything(),
);
/** A field's valid value most of the time, an edgy one sometimes. */
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: edgy, weight: 1 });
const optional = <T>(valid: fc.Arbitrary<T>) => fc.option(fc.oneof(valid, fc.constant(null)), { nil: undefined });

const body = fc.record(
  {
    shiftId: field(uuid('7')),
    lat: field(fc.double({ min: -90, max: 90, noNaN: true })),
    lon: field(fc.double({ min: -180, max: 180, noNaN: true })),
    accuracy: field(fc.double({ min: 0, max: 100_000, noNaN: true })),
    altitude: field(optional(fc.double({ noNaN: true, noDefaultInfinity: true }))),
    speed: field(optional(fc.double({ min: 0, max: 80, noNaN: true }))),
    heading: field(optional(fc.double({ min: 0, max: 360, noNaN: true }))),
    fixAt: field(instant),
    extra: edgy,
  },
  { requiredKeys: ['shiftId', 'lat', 'lon', 'accuracy', 'fixAt'] },
);

const record = fc.record(
  {
    id: field(uuid('7')),
    kind: field(fc.constantFrom('position', 'position', 'position', 'tracking', 'Position')),
    deviceId: field(uuid('4')),
    officerId: field(fc.string({ minLength: 1, maxLength: 64 })),
    seq: field(fc.integer({ min: 1, max: 2_147_483_647 })),
    at: field(instant),
    body: fc.oneof({ arbitrary: body, weight: 8 }, { arbitrary: edgy, weight: 1 }),
    prev: field(fc.oneof(fc.constant(''), hex(64))),
    hash: field(hex(64)),
    sig: field(sig),
    note: edgy,
  },
  { requiredKeys: ['id', 'kind', 'deviceId', 'officerId', 'seq', 'at', 'body', 'prev', 'hash', 'sig'] },
);

/** What arrives over HTTP: the value after a JSON round trip (no undefined, NaN becomes null). */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('the position fast path of parseRecord', () => {
  it('gives RecordSchema’s verdict, output and reason for any record-like input, as sent or as JSON', () => {
    fc.assert(
      fc.property(record, (input) => {
        expect(verdict(parseRecord(input))).toEqual(verdict(schemaVerdict(input)));
        const sent = overTheWire(input);
        expect(verdict(parseRecord(sent))).toEqual(verdict(schemaVerdict(sent)));
      }),
      { numRuns: 2000 },
    );
    // A busy shared machine takes seconds for two thousand valibot parses and their reasons.
  }, 30_000);

  it('writes a position it took as sent in the canonical text of its hash and signature, byte for byte', () => {
    /** canonicalJson's text of the record, or its refusal. */
    const written = (write: () => string) => {
      try {
        return write();
      } catch (error) {
        return `refused: ${String(error)}`;
      }
    };
    // Valid positions only (the test above covers what is refused), with numbers of every form
    // (-0, 1e-7, 5e-324, 1e21 ...) and officer ids of any characters: escapes, line separators,
    // astral and lone surrogates.
    const number = (min: number, max: number) => fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(-0, 0, 1e-7, 5e-324, min, max));
    const position = fc.record(
      {
        id: uuid('7'),
        kind: fc.constant('position'),
        deviceId: uuid('4'),
        officerId: fc.oneof(
          fc.string({ minLength: 1, maxLength: 64 }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
          fc.constantFrom('a"b\\c', '巡防', '\u2028x', '\ud800', 'a\udc00b', '\ud83d\ude93'),
        ),
        seq: fc.integer({ min: 1, max: 2_147_483_647 }),
        at: instant,
        body: fc.record(
          {
            shiftId: uuid('7'),
            lat: number(-90, 90),
            lon: number(-180, 180),
            accuracy: number(0, 100_000),
            altitude: fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e21, -1e-7)),
            speed: fc.oneof(fc.constant(null), number(0, 1e6)),
            heading: fc.oneof(fc.constant(null), number(0, 360)),
            fixAt: instant,
          },
          { requiredKeys: ['shiftId', 'lat', 'lon', 'accuracy', 'fixAt'] },
        ),
        prev: fc.oneof(fc.constant(''), hex(64)),
        hash: hex(64),
        sig,
      },
      { requiredKeys: ['id', 'kind', 'deviceId', 'officerId', 'seq', 'at', 'body', 'prev', 'hash', 'sig'] },
    );
    let taken = 0;
    fc.assert(
      fc.property(position, (generated) => {
        // As a push delivers it: fast-check's own objects are not plain, and the fast path leaves them to valibot.
        const input = overTheWire(generated);
        const parsed = parseRecord(input);
        if (!parsed.success || parsed.output !== input || parsed.output.kind !== 'position') return;
        taken++;
        const record = parsed.output as RecordOf<'position'>;
        expect(written(() => positionSigningText(record))).toBe(written(() => signingText(record)));
      }),
      { numRuns: 3000 },
    );
    // The fast path took them (all but the few with a NUL in the officer id).
    expect(taken).toBeGreaterThan(2900);
  }, 30_000);

  it('takes every fix of a real trace as sent, without a valibot copy', () => {
    const points = shiftTo(loadTrack(TRACE_FILES.osakaWalk));
    const base = {
      id: '0190a1f0-0000-7000-8000-000000000001',
      kind: 'position',
      deviceId: '0190a1f0-0000-4000-8000-000000000002',
      officerId: 'officer-1',
      at: '2026-11-29T08:00:00.000Z',
      prev: '',
      hash: 'a'.repeat(64),
      sig: 'A'.repeat(86),
    };
    expect(points.length).toBeGreaterThan(100);
    points.forEach((p, i) => {
      const fixAt = new Date(p.time ?? Date.parse(base.at)).toISOString();
      const body = { shiftId: '0190a1f0-0000-7000-8000-000000000003', lat: p.lat, lon: p.lon, accuracy: 5 + (i % 30), altitude: p.ele ?? null, fixAt };
      const input = overTheWire({ ...base, seq: i + 1, body });
      const parsed = parseRecord(input);
      expect(schemaVerdict(input).success).toBe(true);
      // The same object back: the fast path took it (valibot returns a copy).
      expect(parsed.success && parsed.output).toBe(input);
    });
  });

  it('still names the field and the rule when a position is refused', () => {
    const valid = {
      id: '0190a1f0-0000-7000-8000-000000000001',
      kind: 'position',
      deviceId: '0190a1f0-0000-4000-8000-000000000002',
      officerId: 'officer-1',
      seq: 1,
      at: '2026-11-29T08:00:00.000Z',
      body: { shiftId: '0190a1f0-0000-7000-8000-000000000003', lat: 23.1, lon: 114.4, accuracy: 8, fixAt: '2026-11-29T08:00:00.000Z' },
      prev: '',
      hash: 'a'.repeat(64),
      sig: 'A'.repeat(86),
    };
    const reason = (input: unknown) => {
      const parsed = parseRecord(input);
      return parsed.success ? null : describeIssues(parsed.issues);
    };
    expect(reason(valid)).toBeNull();
    expect(reason({ ...valid, body: { ...valid.body, lat: 91 } })).toBe('body.lat: must be ≤ 90');
    expect(reason({ ...valid, body: { ...valid.body, heading: -1 } })).toBe('body.heading: must be ≥ 0');
    expect(reason({ ...valid, seq: 0 })).toBe('seq: must be ≥ 1');
    expect(reason({ ...valid, officerId: 'a\0b' })).toBe('text must not contain the NUL character (U+0000)');
  });
});
