// Loaders for the real GPS tracks in ../shared/data/traces (SOURCES.md says what each holds and
// which faults it has). The files are read-only fixtures: tests and the simulator shift coordinates in memory.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** One recorded point; `time` is epoch ms, or null when the file gives none. */
export interface TracePoint {
  lat: number;
  lon: number;
  time: number | null;
  ele?: number;
}

/**
 * The data directory: `$XUNFANG_TRACES_DIR`, else `../shared/data/traces` beside the repository
 * (src/simulator → repo → its parent), else the workplace's `/work/shared/data/traces` (a clone
 * made elsewhere, as CI may, still finds the shared data).
 */
const TRACES_DIR: URL = (() => {
  const candidates = [
    process.env.XUNFANG_TRACES_DIR ? pathToFileURL(`${process.env.XUNFANG_TRACES_DIR.replace(/\/?$/, '/')}`) : null,
    new URL('../../../shared/data/traces/', import.meta.url),
    pathToFileURL('/work/shared/data/traces/'),
  ].filter((c): c is URL => c !== null);
  const found = candidates.find((c) => existsSync(new URL('SOURCES.md', c)));
  if (!found) throw new Error(`real GPS traces not found; looked in ${candidates.map((c) => c.pathname).join(', ')} (set XUNFANG_TRACES_DIR)`);
  return found;
})();

/** File names, as SOURCES.md lists them. */
export const TRACE_FILES = {
  osakaWalk: 'walk_osaka_chuo_17174412112.gpx',
  osakaPause: 'walk_osaka_chuo_pause_17776707719.gpx',
  beijingLong: 'run_long_beijing_18175434277.gpx',
  beijingMarathon: 'run_marathon_beijing_3463682353.gpx',
  munichDrive: 'drive_munich_barefoot_x0001-001.json',
  washingtonDc: 'osm_traces_washington_dc_togeojson_osm.gpx',
} as const;

const cache = new Map<string, TracePoint[][]>();

function readTrace(name: string): string {
  return readFileSync(new URL(name, TRACES_DIR), 'utf8');
}

function attr(tag: string, name: string): number {
  // Either quote style and either attribute order; the Garmin files carry 30-digit decimals,
  // which Number() reads fine (the excess digits are below double precision anyway).
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? Number(m[1] ?? m[2]) : Number.NaN;
}

/** Parses GPX 1.0/1.1 text: one array of points per `<trk>` (segments of a track are joined). */
export function parseGpx(xml: string): TracePoint[][] {
  const tracks: TracePoint[][] = [];
  const chunks = xml.split(/<trk[\s>]/).slice(1);
  for (const chunk of chunks) {
    const points: TracePoint[] = [];
    // A point is either self-closing (the DC file's untimed points) or has a body up to </trkpt>.
    const re = /<trkpt\b([^>]*?)(\/>|>([\s\S]*?)<\/trkpt>)/g;
    for (let m = re.exec(chunk); m; m = re.exec(chunk)) {
      const head = m[1] ?? '';
      const body = m[3] ?? '';
      const point: TracePoint = { lat: attr(head, 'lat'), lon: attr(head, 'lon'), time: null };
      const time = /<time>\s*([^<]+?)\s*<\/time>/.exec(body);
      if (time) {
        const t = Date.parse(time[1]!);
        point.time = Number.isNaN(t) ? null : t;
      }
      const ele = /<ele>\s*([^<]+?)\s*<\/ele>/.exec(body);
      if (ele && Number.isFinite(Number(ele[1]))) point.ele = Number(ele[1]);
      points.push(point);
    }
    tracks.push(points);
  }
  return tracks;
}

/** Parses the barefoot matcher's JSON: `POINT(lon lat)` WKT and `YYYY-MM-DD hh:mm:ss+hhmm` times. */
function parseBarefoot(json: string): TracePoint[] {
  const rows = JSON.parse(json) as Array<{ point: string; time: string }>;
  return rows.map((row) => {
    const m = /^POINT\(\s*(\S+)\s+(\S+)\s*\)$/.exec(row.point.trim());
    // "2014-09-10 06:54:07+0200" → "2014-09-10T06:54:07+02:00", which Date.parse reads everywhere.
    const iso = row.time
      .trim()
      .replace(' ', 'T')
      .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const t = Date.parse(iso);
    return { lat: Number(m?.[2]), lon: Number(m?.[1]), time: Number.isNaN(t) ? null : t };
  });
}

/** All tracks of one file (GPX or barefoot JSON), parsed once per test run. */
export function loadTracks(name: string): TracePoint[][] {
  let tracks = cache.get(name);
  if (!tracks) {
    const text = readTrace(name);
    tracks = name.endsWith('.json') ? [parseBarefoot(text)] : parseGpx(text);
    cache.set(name, tracks);
  }
  return tracks;
}

/** The single track of a one-track file. */
export function loadTrack(name: string): TracePoint[] {
  const tracks = loadTracks(name);
  if (tracks.length !== 1) throw new Error(`${name} holds ${tracks.length} tracks, not 1`);
  return tracks[0]!;
}

/** Translates a track so it starts at `target` (default: the Huizhou demo area), keeping its shape. */
export function shiftTo<P extends { lat: number; lon: number }>(points: readonly P[], target = { lat: 23.11, lon: 114.41 }): P[] {
  const first = points[0];
  if (!first) return [];
  const dLat = target.lat - first.lat;
  // Scale east–west offsets by the cosine ratio so metres stay metres at the new latitude.
  const k = Math.cos((first.lat * Math.PI) / 180) / Math.cos((target.lat * Math.PI) / 180);
  return points.map((p) => ({ ...p, lat: p.lat + dLat, lon: target.lon + (p.lon - first.lon) * k }));
}
