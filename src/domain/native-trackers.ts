import * as v from 'valibot';
import { containsNul } from './text.js';

// Fixes from native tracker apps paired with an officer's phone, for when the browser cannot
// record (a locked screen): OwnTracks in HTTP mode and the Traccar Client's OsmAnd protocol.
// They are unsigned, so they are kept apart from the signed positions and always shown as such.

export type NativeProtocol = 'owntracks' | 'osmand';

/** One fix as a tracker app reported it, in this system's units (metres, m/s, degrees, epoch ms). */
export interface NativeFix {
  fixAt: number;
  lat: number;
  lon: number;
  accuracy: number | null;
  speed: number | null;
  heading: number | null;
  altitude: number | null;
}

/** Why a tracker's report could not be read; the endpoint answers it as a 400. */
export class NativeFixError extends Error {}

const KNOT_MS = 1852 / 3600;
const KMH_MS = 1000 / 3600;
const num = (message: string) => v.pipe(v.number(message), v.finite(message));
const Lat = v.pipe(num('lat must be a number'), v.minValue(-90, 'lat must be ≥ -90'), v.maxValue(90, 'lat must be ≤ 90'));
const Lon = v.pipe(num('lon must be a number'), v.minValue(-180, 'lon must be ≥ -180'), v.maxValue(180, 'lon must be ≤ 180'));
const NonNegative = (name: string) => v.pipe(num(`${name} must be a number`), v.minValue(0, `${name} must be ≥ 0`));

/** OwnTracks `_type: location` (owntracks.org/booklet/tech/json); other fields and types pass untouched. */
const OwnTracksLocationSchema = v.looseObject({
  _type: v.literal('location'),
  lat: Lat,
  lon: Lon,
  /** Epoch seconds of the fix. */
  tst: v.pipe(num('tst must be a number'), v.integer('tst must be whole seconds')),
  acc: v.optional(NonNegative('acc')),
  alt: v.optional(num('alt must be a number')),
  /** km/h. */
  vel: v.optional(NonNegative('vel')),
  cog: v.optional(num('cog must be a number')),
});

/**
 * Reads an OwnTracks HTTP payload: a fix for `_type: location`, null for every other type (cards,
 * transitions, waypoints, an empty body): OwnTracks sends those too and expects 200.
 */
export function readOwnTracks(payload: unknown): NativeFix | null {
  if (typeof payload !== 'object' || payload === null || (payload as { _type?: unknown })._type !== 'location') return null;
  const parsed = v.safeParse(OwnTracksLocationSchema, payload);
  if (!parsed.success) throw new NativeFixError(parsed.issues[0].message);
  const p = parsed.output;
  return {
    fixAt: p.tst * 1000,
    lat: p.lat,
    lon: p.lon,
    accuracy: p.acc ?? null,
    speed: p.vel === undefined ? null : p.vel * KMH_MS,
    heading: p.cog ?? null,
    altitude: p.alt ?? null,
  };
}

/** Traccar Client 9+ posts the location SDK's JSON (traccar.org/osmand): ISO time, m/s. */
const TraccarJsonSchema = v.looseObject({
  device_id: v.optional(v.string()),
  location: v.looseObject({
    timestamp: v.pipe(v.string('location.timestamp must be an ISO time'), v.isoTimestamp('location.timestamp must be an ISO time')),
    coords: v.looseObject({
      latitude: Lat,
      longitude: Lon,
      accuracy: v.optional(NonNegative('accuracy')),
      speed: v.optional(num('speed must be a number')),
      heading: v.optional(num('heading must be a number')),
      altitude: v.optional(num('altitude must be a number')),
    }),
  }),
});

/** The OsmAnd protocol's query or form parameters (older Traccar Clients, OsmAnd itself): speed in knots. */
function readOsmAndParams(params: URLSearchParams): NativeFix {
  const number = (name: string, required = false): number | null => {
    const text = params.get(name);
    if (text === null || text === '') {
      if (required) throw new NativeFixError(`${name} is required`);
      return null;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) throw new NativeFixError(`${name} must be a number`);
    return value;
  };
  const lat = number('lat', true)!;
  const lon = number('lon', true)!;
  if (Math.abs(lat) > 90) throw new NativeFixError('lat must be within ±90');
  if (Math.abs(lon) > 180) throw new NativeFixError('lon must be within ±180');
  if (params.get('valid') === 'false' || params.get('valid') === '0') throw new NativeFixError('the tracker marked this fix invalid');
  const speed = number('speed');
  return {
    fixAt: osmAndTime(params.get('timestamp')),
    lat,
    lon,
    accuracy: number('accuracy') ?? number('hdop'),
    speed: speed === null ? null : speed * KNOT_MS,
    heading: number('bearing') ?? number('heading'),
    altitude: number('altitude'),
  };
}

/** OsmAnd's timestamp: epoch seconds, epoch milliseconds, or an ISO time. */
function osmAndTime(text: string | null): number {
  if (!text) throw new NativeFixError('timestamp is required');
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n > 1e11 ? n : n * 1000;
  }
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new NativeFixError('timestamp must be epoch seconds, epoch milliseconds or an ISO time');
  return ms;
}

/**
 * Reads an OsmAnd-protocol report: the JSON body of Traccar Client 9+, or the parameters (query
 * string or form) of older clients. Returns the fix and the device identifier the app sent.
 */
export function readOsmAnd(params: URLSearchParams, json: unknown): { fix: NativeFix; deviceId: string | null } {
  if (json !== undefined && json !== null && typeof json === 'object') {
    const parsed = v.safeParse(TraccarJsonSchema, json);
    if (!parsed.success) throw new NativeFixError(parsed.issues[0].message);
    const { location, device_id } = parsed.output;
    const c = location.coords;
    return {
      fix: {
        fixAt: Date.parse(location.timestamp),
        lat: c.latitude,
        lon: c.longitude,
        accuracy: c.accuracy ?? null,
        speed: c.speed === undefined || c.speed < 0 ? null : c.speed,
        heading: c.heading === undefined || c.heading < 0 ? null : c.heading,
        altitude: c.altitude ?? null,
      },
      deviceId: device_id ?? params.get('id') ?? params.get('deviceid'),
    };
  }
  return { fix: readOsmAndParams(params), deviceId: params.get('id') ?? params.get('deviceid') };
}

/** A native tracker pairing as its officer sees it; the token itself is shown once, at creation. */
export interface NativeTrackerView {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  fixes: number;
}

/** Body of `POST /api/trackers`. */
export const NewTrackerSchema = v.strictObject({
  label: v.pipe(
    v.string('label must be a string'),
    v.trim(),
    v.minLength(1, 'label is required'),
    v.maxLength(40, 'label must be at most 40 characters'),
    v.check((text) => !containsNul(text), 'label must not contain the NUL character (U+0000)'),
  ),
});

/** The answer to `POST /api/trackers`: the secret, once, and what to type into each app. */
export interface NewTrackerResponse {
  tracker: NativeTrackerView;
  token: string;
  owntracks: { url: string; username: string; password: string; configUrl: string };
  osmand: { url: string; deviceId: string };
}

/**
 * OwnTracks' own remote-configuration link (owntracks.org/booklet/features/remoteconfig): opened
 * on the phone or scanned as a QR code, it sets HTTP mode, the endpoint and the credentials.
 */
export function ownTracksConfigUrl(config: { url: string; username: string; password: string; deviceId: string }): string {
  const json = JSON.stringify({
    _type: 'configuration',
    mode: 3,
    url: config.url,
    auth: true,
    username: config.username,
    password: config.password,
    deviceId: config.deviceId,
  });
  const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(json)));
  return `owntracks:///config?inline=${encodeURIComponent(base64)}`;
}
