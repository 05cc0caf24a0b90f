// RFC 8785 (JCS) canonical JSON: the bytes every record's hash and signature cover, on the device
// and on the server alike. Gives exactly what the `canonicalize` package gives (a property test
// holds it to that, over arbitrary JSON and over real records) in about half the time: that
// package builds the text piece by piece and scans every string for lone surrogates by hand, the
// largest per-record cost of ingest. Here a copy with its keys in JCS order goes through the
// engine's own JSON.stringify, whose strings and numbers are already JCS's.

/** The canonical JSON text of a JSON value; throws on what JCS cannot express (NaN, ±Infinity, a lone surrogate). */
export function canonicalJson(value: unknown): string {
  const copy = sortedCopy(value);
  // A lone surrogate comes out as a \udxxx escape (so can an escaped backslash before "ud"):
  // the careful writer decides.
  const text = copy === UNORDERABLE ? undefined : JSON.stringify(copy);
  const checked = text === undefined || text.includes('\\ud') ? write(value) : text;
  if (checked === undefined) throw new Error('value cannot be canonicalized');
  return checked;
}

/** What a plain copy cannot reproduce: the careful writer takes over. */
const UNORDERABLE = Symbol('unorderable');

function sortedCopy(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} is not allowed`);
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNORDERABLE;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i]);
      if (item === UNORDERABLE) return UNORDERABLE;
      out[i] = item;
    }
    return out;
  }
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const first = key.charCodeAt(0);
    // Integer-like keys would be reordered; assigning __proto__ would set the prototype.
    if ((first >= 48 && first <= 57) || key === '__proto__') return UNORDERABLE;
    const item = sortedCopy(record[key]);
    if (item === UNORDERABLE) return UNORDERABLE;
    out[key] = item;
  }
  return out;
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // ECMAScript's Number-to-String is JCS's number form; JSON.stringify writes -0 as 0.
      if (!Number.isFinite(value)) throw new Error(`${value} is not allowed`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const json = (value as { toJSON?: unknown }).toJSON;
      if (typeof json === 'function') return write(json.call(value));
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(skipped(value[i]) ? null : value[i]);
        }
        return out + ']';
      }
      // Default sort compares UTF-16 code units, which is JCS's key order.
      const keys = Object.keys(value).sort();
      const record = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (skipped(item)) continue;
        if (!first) out += ',';
        first = false;
        out += quote(key) + ':' + write(item);
      }
      return out + '}';
    }
    default:
      return JSON.stringify(value);
  }
}

const skipped = (item: unknown) => item === undefined || typeof item === 'symbol';

function quote(text: string): string {
  const out = JSON.stringify(text);
  // JSON.stringify writes a lone surrogate as a \udxxx escape; only then is the slow check needed
  // (the same letters can also follow an escaped backslash).
  if (out.includes('\\ud') && hasLoneSurrogate(text)) throw new Error('Lone surrogate is not allowed');
  return out;
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}
