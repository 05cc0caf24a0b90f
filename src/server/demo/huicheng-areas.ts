import { featureCollection, polygon as turfPolygon } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import type { Polygon } from 'geojson';
import type { Area, AreaGeometry } from '../../domain/areas.js';
import type { LonLat } from './huicheng.js';

// The demo's areas for the safety index (issue 15): Huicheng's towns and streets (镇/街道) under
// their real names, and a few residential communities (社区) in the urban streets.
//
// APPROXIMATE, and stored as such: the seats below are read off maps to within a kilometre or
// two, each street's boundary is the part of the real district outline nearer its seat than any
// other (a Voronoi partition, distances in local metres), and the populations are round figures
// of the right size, not census numbers. An admin imports the real boundaries and populations
// as GeoJSON. The four urban streets are seated at the middle of the squads' sectors named after
// them (huicheng.ts ZONE_CELLS), so each sector lies mostly in its street. The Zhongkai
// high-tech zone's towns (陈江, 惠环, 沥林, 潼湖, 潼侨) are administered by the zone but lie in
// Huicheng district, inside its outline, so they are here.

interface DemoTown {
  id: string;
  name: { 'zh-CN': string; en: string };
  seat: LonLat;
  population: number;
}

// Same id family as seed.ts (6… areas).
const TOWNS: DemoTown[] = [
  { id: '0190a1f0-0000-7000-8000-600000000001', name: { 'zh-CN': '江北街道', en: 'Jiangbei Subdistrict' }, seat: [114.4125, 23.115], population: 210_000 },
  { id: '0190a1f0-0000-7000-8000-600000000002', name: { 'zh-CN': '桥东街道', en: 'Qiaodong Subdistrict' }, seat: [114.4315, 23.092], population: 110_000 },
  { id: '0190a1f0-0000-7000-8000-600000000003', name: { 'zh-CN': '桥西街道', en: 'Qiaoxi Subdistrict' }, seat: [114.394, 23.084], population: 160_000 },
  { id: '0190a1f0-0000-7000-8000-600000000004', name: { 'zh-CN': '河南岸街道', en: "Henan'an Subdistrict" }, seat: [114.4315, 23.068], population: 180_000 },
  { id: '0190a1f0-0000-7000-8000-600000000005', name: { 'zh-CN': '江南街道', en: 'Jiangnan Subdistrict' }, seat: [114.37, 23.1], population: 170_000 },
  { id: '0190a1f0-0000-7000-8000-600000000006', name: { 'zh-CN': '龙丰街道', en: 'Longfeng Subdistrict' }, seat: [114.36, 23.07], population: 140_000 },
  { id: '0190a1f0-0000-7000-8000-600000000007', name: { 'zh-CN': '小金口街道', en: 'Xiaojinkou Subdistrict' }, seat: [114.4, 23.17], population: 150_000 },
  { id: '0190a1f0-0000-7000-8000-600000000008', name: { 'zh-CN': '水口街道', en: 'Shuikou Subdistrict' }, seat: [114.475, 23.115], population: 170_000 },
  { id: '0190a1f0-0000-7000-8000-600000000009', name: { 'zh-CN': '惠环街道', en: 'Huihuan Subdistrict' }, seat: [114.34, 23.045], population: 150_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000a', name: { 'zh-CN': '陈江街道', en: 'Chenjiang Subdistrict' }, seat: [114.29, 23.03], population: 200_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000b', name: { 'zh-CN': '三栋镇', en: 'Sandong Town' }, seat: [114.43, 23.01], population: 80_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000c', name: { 'zh-CN': '马安镇', en: "Ma'an Town" }, seat: [114.53, 23.03], population: 60_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000d', name: { 'zh-CN': '汝湖镇', en: 'Ruhu Town' }, seat: [114.5, 23.22], population: 70_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000e', name: { 'zh-CN': '横沥镇', en: 'Hengli Town' }, seat: [114.63, 23.17], population: 60_000 },
  { id: '0190a1f0-0000-7000-8000-60000000000f', name: { 'zh-CN': '芦洲镇', en: 'Luzhou Town' }, seat: [114.7, 23.32], population: 40_000 },
  { id: '0190a1f0-0000-7000-8000-600000000010', name: { 'zh-CN': '沥林镇', en: 'Lilin Town' }, seat: [114.18, 22.98], population: 70_000 },
  { id: '0190a1f0-0000-7000-8000-600000000011', name: { 'zh-CN': '潼湖镇', en: 'Tonghu Town' }, seat: [114.2, 23.06], population: 50_000 },
  { id: '0190a1f0-0000-7000-8000-600000000012', name: { 'zh-CN': '潼侨镇', en: 'Tongqiao Town' }, seat: [114.27, 23.1], population: 30_000 },
];

interface DemoCommunity {
  id: string;
  town: string;
  name: { 'zh-CN': string; en: string };
  /** South-west and north-east corners of a small box: communities are a few hundred metres across. */
  box: [number, number, number, number];
  population: number;
}

const COMMUNITIES: DemoCommunity[] = [
  {
    id: '0190a1f0-0000-7000-8000-610000000001',
    town: '0190a1f0-0000-7000-8000-600000000002',
    name: { 'zh-CN': '水东社区', en: 'Shuidong Community' },
    box: [114.418, 23.0905, 114.425, 23.0955],
    population: 9_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-610000000002',
    town: '0190a1f0-0000-7000-8000-600000000002',
    name: { 'zh-CN': '东湖社区', en: 'Donghu Community' },
    box: [114.429, 23.086, 114.437, 23.092],
    population: 12_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-610000000003',
    town: '0190a1f0-0000-7000-8000-600000000003',
    name: { 'zh-CN': '西湖社区', en: 'Xihu Community' },
    box: [114.399, 23.085, 114.407, 23.091],
    population: 11_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-610000000004',
    town: '0190a1f0-0000-7000-8000-600000000003',
    name: { 'zh-CN': '下角社区', en: 'Xiajiao Community' },
    box: [114.389, 23.077, 114.397, 23.083],
    population: 14_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-610000000005',
    town: '0190a1f0-0000-7000-8000-600000000001',
    name: { 'zh-CN': '云山社区', en: 'Yunshan Community' },
    box: [114.408, 23.108, 114.417, 23.114],
    population: 13_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-610000000006',
    town: '0190a1f0-0000-7000-8000-600000000004',
    name: { 'zh-CN': '金山社区', en: 'Jinshan Community' },
    box: [114.425, 23.066, 114.434, 23.072],
    population: 10_000,
  },
];

/** Metres per degree of longitude at Huicheng's latitude, over metres per degree of latitude. */
const LON_SCALE = Math.cos((23.1 * Math.PI) / 180);

type Pt = [number, number];

/** Keeps the part of a convex polygon where a·p ≤ b (Sutherland–Hodgman against one half-plane). */
function clipHalfPlane(polygon: Pt[], a: Pt, b: number): Pt[] {
  const out: Pt[] = [];
  const side = (p: Pt) => a[0] * p[0] + a[1] * p[1] - b;
  for (let i = 0; i < polygon.length; i++) {
    const p = polygon[i] as Pt;
    const q = polygon[(i + 1) % polygon.length] as Pt;
    const sp = side(p);
    const sq = side(q);
    if (sp <= 0) out.push(p);
    if (sp * sq < 0) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** The Voronoi cell of seat `i` among `seats`, within a box around the district, in lon/lat. */
function voronoiCell(seats: readonly LonLat[], i: number): Pt[] {
  const scaled = seats.map(([lon, lat]): Pt => [lon * LON_SCALE, lat]);
  const s = scaled[i] as Pt;
  let cell: Pt[] = [
    [113.5 * LON_SCALE, 22.5],
    [115.5 * LON_SCALE, 22.5],
    [115.5 * LON_SCALE, 24],
    [113.5 * LON_SCALE, 24],
  ];
  scaled.forEach((o, j) => {
    if (j === i) return;
    // Nearer s than o: (o − s)·p ≤ (|o|² − |s|²) / 2.
    cell = clipHalfPlane(cell, [o[0] - s[0], o[1] - s[1]], (o[0] ** 2 + o[1] ** 2 - s[0] ** 2 - s[1] ** 2) / 2);
  });
  return cell.map(([x, y]) => [x / LON_SCALE, y]);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function box([west, south, east, north]: [number, number, number, number]): AreaGeometry {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}

/** The demo's towns and streets (partitioning the district outline) and communities, all approximate. Deterministic. */
export function buildHuichengAreas(outline: Polygon): Area[] {
  const district = turfPolygon(outline.coordinates);
  const seats = TOWNS.map((t) => t.seat);
  const towns = TOWNS.map((town, i): Area => {
    const ring = voronoiCell(seats, i);
    const cell = turfPolygon([[...ring, ring[0] as Pt]]);
    const part = intersect(featureCollection([district, cell]));
    if (!part) throw new Error(`${town.name.en} lies outside the district outline`);
    const rounded = (rings: number[][][]) => rings.map((r) => r.map(([x = 0, y = 0]): [number, number] => [round6(x), round6(y)]));
    const geometry: AreaGeometry =
      part.geometry.type === 'Polygon'
        ? { type: 'Polygon', coordinates: rounded(part.geometry.coordinates) }
        : { type: 'MultiPolygon', coordinates: part.geometry.coordinates.map(rounded) };
    return { id: town.id, level: 'town', parentId: null, name: { ...town.name }, population: town.population, geometry, approximate: true };
  });
  const communities = COMMUNITIES.map((c): Area => ({
    id: c.id,
    level: 'community',
    parentId: c.town,
    name: { ...c.name },
    population: c.population,
    geometry: box(c.box),
    approximate: true,
  }));
  return [...towns, ...communities];
}
