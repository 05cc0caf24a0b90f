import Flatbush from 'flatbush';
import { polygonsOf, type Area, type AreaGeometry } from './areas.js';
import { DISTRICT_UTC_OFFSET_MIN } from './checkpoints.js';
import { PreparedPolygon } from './geo.js';
import { DEFAULT_INCIDENT_CATEGORIES, type IncidentCategory } from './incidents.js';

// The published safety index (平安指数) and preventable-crime index (警情指数), issue 15, as the
// programme publishes them: per town or street and month, criminal + public-order, fire and
// traffic incidents per 10,000 residents and the deaths in each group; per residential community
// and month, the counts of the three preventable kinds. An incident counts in the area its
// location falls in, in the month of its time in district time (UTC+8). One pure core, so the
// server, the bench and the tests compute the same numbers.

/** The index's three groups (the taxonomy's `other` counts in none). */
export const INDEX_GROUPS = ['criminal-order', 'fire', 'traffic'] as const;
type IndexGroup = (typeof INDEX_GROUPS)[number];
type GroupNumbers = Record<IndexGroup, number>;

/** A month of district time, `YYYY-MM`. */
export type Month = string;
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

const OFFSET_MS = DISTRICT_UTC_OFFSET_MIN * 60_000;

/** The district month an instant falls in: 2026-10-31T16:00:00.000Z is already November in UTC+8. */
export function districtMonth(instant: string | number): Month {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 7);
}

/** The month `n` months after `month` (before, for negative `n`). */
export function addMonths(month: Month, n: number): Month {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + n;
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

/** The instant a district month begins (midnight of the 1st, UTC+8), as ISO UTC. */
export function monthStart(month: Month): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1;
  return new Date(Date.UTC(y, m, 1) - OFFSET_MS).toISOString();
}

/** `count` months ending with `last`, oldest first. */
export function monthsEnding(last: Month, count: number): Month[] {
  return Array.from({ length: count }, (_, i) => addMonths(last, i - count + 1));
}

/** Incidents per 10,000 residents. */
function per10k(count: number, population: number): number {
  return population > 0 ? (count * 10_000) / population : 0;
}

/** An incident as the index reads it (the derived `incidents` table's columns). */
export interface IndexIncident {
  category: string;
  occurredAt: string;
  /** Null for an address-only report: it cannot be placed in an area. */
  lat: number | null;
  lon: number | null;
  /** Deaths as the incident now stands. */
  dead: number;
  demo: boolean;
}

/** One town's or street's month. */
export interface TownMonth {
  areaId: string;
  counts: GroupNumbers;
  deaths: GroupNumbers;
  /** counts per 10,000 residents. */
  rates: GroupNumbers;
  /** How many of the counted incidents are demo data. */
  demo: number;
}

/** One community's month: the count of each preventable kind, by category code. */
interface CommunityMonth {
  areaId: string;
  counts: Record<string, number>;
  total: number;
  demo: number;
}

export interface MonthIndex {
  month: Month;
  towns: TownMonth[];
  communities: CommunityMonth[];
  /** Incidents of the month, all groups, placed or not. */
  incidents: number;
  /** Address-only incidents: no coordinates, so no area. */
  unplaced: number;
  /** Incidents whose location lies in no town or street (outside the district, or a gap in the boundaries). */
  outside: number;
  /** Demo incidents among `incidents`. */
  demo: number;
}

interface Part {
  areaId: string;
  polygon: PreparedPolygon;
}

/**
 * Finds the area a point lies in among areas that do not overlap (one level): a static R-tree
 * over each polygon's bounding box, then the point-in-polygon test (banded, geo.ts
 * PreparedPolygon) on the few candidates, so 100,000 incidents against 50 detailed boundaries
 * stay under the 200 ms target.
 */
export class AreaLocator {
  private readonly parts: Part[] = [];
  private readonly tree: Flatbush | null = null;
  private readonly found: number[] = [];

  constructor(areas: ReadonlyArray<{ id: string; geometry: AreaGeometry }>) {
    const boxes: Array<[number, number, number, number]> = [];
    for (const area of areas) {
      for (const rings of polygonsOf(area.geometry)) {
        let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
        for (const [lon, lat] of rings[0] ?? []) {
          if (lon < west) west = lon;
          if (lon > east) east = lon;
          if (lat < south) south = lat;
          if (lat > north) north = lat;
        }
        if (west > east) continue;
        this.parts.push({ areaId: area.id, polygon: new PreparedPolygon(rings) });
        boxes.push([west, south, east, north]);
      }
    }
    if (boxes.length === 0) return;
    const tree = new Flatbush(boxes.length);
    for (const [west, south, east, north] of boxes) tree.add(west, south, east, north);
    tree.finish();
    this.tree = tree;
  }

  /** The id of the area `[lon, lat]` lies in, or null. */
  locate(lon: number, lat: number): string | null {
    if (!this.tree) return null;
    const found = this.found;
    found.length = 0;
    this.tree.search(lon, lat, lon, lat, (i) => (found.push(i), false));
    for (const i of found) {
      const part = this.parts[i];
      if (part?.polygon.contains(lon, lat)) return part.areaId;
    }
    return null;
  }
}

/** What the index needs to know of a category: its group, and whether it is a preventable kind. */
function categoryTable(categories: readonly IncidentCategory[]) {
  const groups = new Map<string, IndexGroup>();
  const preventable = new Set<string>();
  for (const c of categories) {
    if (c.group !== 'other') groups.set(c.code, c.group);
    if (c.preventable) preventable.add(c.code);
  }
  return { groups, preventable };
}

/** The codes of the preventable kinds, in taxonomy order (the community columns). */
export function preventableCodes(categories: readonly IncidentCategory[] = DEFAULT_INCIDENT_CATEGORIES): string[] {
  return categories.filter((c) => c.preventable).map((c) => c.code);
}

const zeroGroups = (): GroupNumbers => ({ 'criminal-order': 0, fire: 0, traffic: 0 });

/** Where an incident counts: the town or street and the community its location lies in (null: in none, or no location). */
export interface IncidentPlace {
  townId: string | null;
  communityId: string | null;
}

/**
 * Places points in a unit's areas, each level on its own (a community is looked up among
 * communities, not only inside the town found): the rule the index counts by, applied once per
 * incident where it is stored, and again to every incident when the areas change.
 */
export class AreaPlacer {
  private readonly towns: AreaLocator;
  private readonly communities: AreaLocator;

  constructor(areas: readonly Area[]) {
    this.towns = new AreaLocator(areas.filter((a) => a.level === 'town'));
    this.communities = new AreaLocator(areas.filter((a) => a.level === 'community'));
  }

  /** The areas `[lon, lat]` lies in; an incident without coordinates lies in none. */
  place(lon: number | null, lat: number | null): IncidentPlace {
    if (lon === null || lat === null) return { townId: null, communityId: null };
    return { townId: this.towns.locate(lon, lat), communityId: this.communities.locate(lon, lat) };
  }
}

/**
 * Incidents of one month, category and place, counted: what the server's query groups the stored
 * incidents into (their places were worked out where they were stored), and what the index is
 * made from.
 */
export interface IndexCount extends IncidentPlace {
  month: Month;
  category: string;
  /** False for address-only incidents: no coordinates, so in no area. */
  placed: boolean;
  demo: boolean;
  /** How many incidents, and the deaths among them. */
  incidents: number;
  dead: number;
}

/**
 * The index of each of `months` (in order, oldest first) from counts of placed incidents (those
 * of other months are left out). Towns and communities come in the order of `areas`, every one of
 * them, with zeros for a month without incidents: a quiet street is news too.
 */
export function indexFromCounts(
  areas: readonly Area[],
  counts: Iterable<IndexCount>,
  months: readonly Month[],
  categories: readonly IncidentCategory[] = DEFAULT_INCIDENT_CATEGORIES,
): MonthIndex[] {
  const towns = areas.filter((a) => a.level === 'town');
  const communities = areas.filter((a) => a.level === 'community');
  const { groups, preventable } = categoryTable(categories);
  const codes = preventableCodes(categories);

  const result = months.map((month) => ({
    month,
    towns: new Map(towns.map((a) => [a.id, { areaId: a.id, counts: zeroGroups(), deaths: zeroGroups(), rates: zeroGroups(), demo: 0 } as TownMonth])),
    communities: new Map(
      communities.map((a) => [a.id, { areaId: a.id, counts: Object.fromEntries(codes.map((c) => [c, 0])), total: 0, demo: 0 } as CommunityMonth]),
    ),
    incidents: 0,
    unplaced: 0,
    outside: 0,
    demo: 0,
  }));
  const byMonth = new Map(result.map((m) => [m.month, m]));

  for (const count of counts) {
    const month = byMonth.get(count.month);
    if (!month) continue;
    const n = count.incidents;
    const demo = count.demo ? n : 0;
    month.incidents += n;
    month.demo += demo;
    if (!count.placed) {
      month.unplaced += n;
      continue;
    }
    const group = groups.get(count.category);
    if (count.townId === null) month.outside += n;
    else if (group) {
      const town = month.towns.get(count.townId);
      if (town) {
        town.counts[group] += n;
        town.deaths[group] += count.dead;
        town.demo += demo;
      }
    }
    if (preventable.has(count.category)) {
      const community = count.communityId === null ? undefined : month.communities.get(count.communityId);
      if (community) {
        community.counts[count.category] = (community.counts[count.category] ?? 0) + n;
        community.total += n;
        community.demo += demo;
      }
    }
  }

  const population = new Map(towns.map((a) => [a.id, a.population]));
  return result.map(({ towns: townRows, communities: communityRows, ...rest }) => ({
    ...rest,
    towns: [...townRows.values()].map((t) => {
      const residents = population.get(t.areaId) ?? 0;
      return {
        ...t,
        rates: {
          'criminal-order': per10k(t.counts['criminal-order'], residents),
          fire: per10k(t.counts.fire, residents),
          traffic: per10k(t.counts.traffic, residents),
        },
      };
    }),
    communities: [...communityRows.values()],
  }));
}

/**
 * The index of each of `months` straight from incidents (any order): each placed in its areas
 * and its month, then counted as the server counts its stored rows (indexFromCounts).
 */
export function computeIndex(
  areas: readonly Area[],
  incidents: Iterable<IndexIncident>,
  months: readonly Month[],
  categories: readonly IncidentCategory[] = DEFAULT_INCIDENT_CATEGORIES,
): MonthIndex[] {
  const placer = new AreaPlacer(areas);
  // Where each month begins, as ISO UTC text: incident times are toISOString text too
  // (InstantSchema), so a month is found by comparing strings, not by parsing 100,000 dates.
  const starts = months.map(monthStart);
  const ends = months.map((m) => monthStart(addMonths(m, 1)));
  const counts: IndexCount[] = [];
  for (const incident of incidents) {
    const at = incident.occurredAt;
    let m = starts.length - 1;
    while (m >= 0 && at < (starts[m] as string)) m--;
    if (m < 0 || at >= (ends[m] as string)) continue;
    counts.push({
      month: months[m] as Month,
      category: incident.category,
      placed: incident.lat !== null && incident.lon !== null,
      ...placer.place(incident.lon, incident.lat),
      demo: incident.demo,
      incidents: 1,
      dead: incident.dead,
    });
  }
  return indexFromCounts(areas, counts, months, categories);
}

/** What a town's ranking, choropleth and trend show: a group's rate per 10,000, or its deaths. */
export const TOWN_MEASURES = ['rate:criminal-order', 'rate:fire', 'rate:traffic', 'deaths:criminal-order', 'deaths:fire', 'deaths:traffic'] as const;
export type TownMeasure = (typeof TOWN_MEASURES)[number];

/** A town's value of the measure. */
export function townValue(row: TownMonth, measure: TownMeasure): number {
  const [kind, group] = measure.split(':') as ['rate' | 'deaths', IndexGroup];
  return kind === 'rate' ? row.rates[group] : row.deaths[group];
}

export interface RankedTown {
  areaId: string;
  /** 1 is the best (the lowest value); equal values share a rank. */
  rank: number;
  value: number;
  /** value minus last month's; null when last month is not known. */
  change: number | null;
}

/** Towns best to worst by the measure (lowest first), with the change from the month before. */
export function rankTowns(
  current: MonthIndex,
  previous: MonthIndex | undefined,
  measure: TownMeasure,
  nameOf: (areaId: string) => string,
  /** How equal values are ordered by name: the language the names are in (Chinese collates by pinyin). */
  collation?: string,
): RankedTown[] {
  const before = new Map(previous?.towns.map((t) => [t.areaId, townValue(t, measure)]));
  const rows = current.towns.map((t) => {
    const value = townValue(t, measure);
    const last = before.get(t.areaId);
    return { areaId: t.areaId, rank: 0, value, change: last === undefined ? null : value - last };
  });
  rows.sort((a, b) => a.value - b.value || nameOf(a.areaId).localeCompare(nameOf(b.areaId), collation));
  rows.forEach((row, i) => {
    const prior = rows[i - 1];
    row.rank = prior && prior.value === row.value ? prior.rank : i + 1;
  });
  return rows;
}
