import * as v from 'valibot';
import {
  CheckpointSchema,
  CheckpointShapeSchema,
  DEFAULT_MIN_DWELL_S,
  PlanSchema,
  type Checkpoint,
  type CheckpointShape,
  type CheckpointType,
  type Plan,
  type PolygonGeometry,
} from '../../../domain/checkpoints.js';
import { ControlPointSchema, type ControlPoint, type ControlPointKind } from '../../../domain/control-points.js';
import { ZoneEditSchema, type ZoneEdit } from '../../../domain/zones.js';
import { POINT_MARK_M } from '../../map/control-point-marks.js';

// What the admin's forms hold while being edited: numbers stay as typed text so a half-typed
// value ("-", "") is not lost, and become a record only through the same valibot schemas the
// server uses, so the admin sees the server's rules before sending.

/** Radius of a checkpoint placed by a click, before the admin adjusts it. */
const NEW_RADIUS_M = 50;
/** Decimal places of a typed or clicked coordinate: about 0.1 m, finer than any phone fix. */
const COORD_DIGITS = 6;

export interface CheckpointDraft {
  id: string;
  isNew: boolean;
  zoneId: string;
  nameZh: string;
  nameEn: string;
  type: CheckpointType;
  minDwellS: string;
  shape: { kind: 'circle'; lon: string; lat: string; radiusM: string } | { kind: 'polygon'; polygon: PolygonGeometry };
}

export interface PlanDraft {
  id: string;
  isNew: boolean;
  squadId: string;
  nameZh: string;
  nameEn: string;
  checkpointIds: string[];
  ruleKind: 'interval' | 'per-shift';
  everyMin: string;
  from: string;
  to: string;
  times: string;
}

/** One thing the schema found wrong: the field's path ("name.zh-CN") and the schema's message. */
export interface Problem {
  path: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

const coord = (n: number) => n.toFixed(COORD_DIGITS);
/** Text to number; blank is NaN so the schema reports it ("must be a number") instead of reading 0. */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

export function draftFromCheckpoint(c: Checkpoint): CheckpointDraft {
  return {
    id: c.id,
    isNew: false,
    zoneId: c.zoneId,
    nameZh: c.name['zh-CN'],
    nameEn: c.name.en,
    type: c.type,
    minDwellS: String(c.minDwellS),
    shape:
      c.shape.kind === 'circle' ? { kind: 'circle', lon: coord(c.shape.center[0]), lat: coord(c.shape.center[1]), radiusM: String(c.shape.radiusM) } : c.shape,
  };
}

/** A new circle at `at` ([lon, lat]) with the default radius and dwell. */
export function newCheckpointDraft(id: string, at: readonly [number, number], zoneId: string): CheckpointDraft {
  return {
    id,
    isNew: true,
    zoneId,
    nameZh: '',
    nameEn: '',
    type: 'other',
    minDwellS: String(DEFAULT_MIN_DWELL_S),
    shape: { kind: 'circle', lon: coord(at[0]), lat: coord(at[1]), radiusM: String(NEW_RADIUS_M) },
  };
}

/** Moves a circle draft's centre (a polygon keeps its shape). */
export function withCentre(draft: CheckpointDraft, at: readonly [number, number]): CheckpointDraft {
  return draft.shape.kind === 'circle' ? { ...draft, shape: { ...draft.shape, lon: coord(at[0]), lat: coord(at[1]) } } : draft;
}

/** The draft's shape if it is drawable now, for the live highlight on the map. */
export function draftShape(draft: CheckpointDraft): CheckpointShape | null {
  if (draft.shape.kind === 'polygon') return draft.shape;
  const parsed = v.safeParse(CheckpointShapeSchema, {
    kind: 'circle',
    center: [num(draft.shape.lon), num(draft.shape.lat)],
    radiusM: num(draft.shape.radiusM),
  });
  return parsed.success ? parsed.output : null;
}

/** The draft as a checkpoint, checked by the schema the server uses, or every problem found. */
export function checkCheckpoint(draft: CheckpointDraft): Checked<Checkpoint> {
  const candidate = {
    id: draft.id,
    zoneId: draft.zoneId,
    name: { 'zh-CN': draft.nameZh, en: draft.nameEn },
    type: draft.type,
    shape:
      draft.shape.kind === 'circle' ? { kind: 'circle', center: [num(draft.shape.lon), num(draft.shape.lat)], radiusM: num(draft.shape.radiusM) } : draft.shape,
    minDwellS: num(draft.minDwellS),
  };
  return checked(CheckpointSchema, candidate);
}

export function draftFromPlan(p: Plan): PlanDraft {
  const interval = p.rule.kind === 'interval' ? p.rule : null;
  return {
    id: p.id,
    isNew: false,
    squadId: p.squadId,
    nameZh: p.name['zh-CN'],
    nameEn: p.name.en,
    checkpointIds: [...p.checkpointIds],
    ruleKind: p.rule.kind,
    everyMin: String(interval?.everyMin ?? 60),
    from: interval?.from ?? '20:00',
    to: interval?.to ?? '06:00',
    times: String(p.rule.kind === 'per-shift' ? p.rule.times : 2),
  };
}

/** An empty plan for `squadId`: hourly through the night, the commonest rule. */
export function newPlanDraft(id: string, squadId: string): PlanDraft {
  return { id, isNew: true, squadId, nameZh: '', nameEn: '', checkpointIds: [], ruleKind: 'interval', everyMin: '60', from: '20:00', to: '06:00', times: '2' };
}

/** The draft as a plan, checked by the server's schema, or every problem found. */
export function checkPlan(draft: PlanDraft): Checked<Plan> {
  const rule =
    draft.ruleKind === 'interval'
      ? { kind: 'interval', everyMin: num(draft.everyMin), from: draft.from, to: draft.to }
      : { kind: 'per-shift', times: num(draft.times) };
  return checked(PlanSchema, {
    id: draft.id,
    squadId: draft.squadId,
    name: { 'zh-CN': draft.nameZh, en: draft.nameEn },
    checkpointIds: draft.checkpointIds,
    rule,
  });
}

export interface ControlPointDraft {
  id: string;
  isNew: boolean;
  nameZh: string;
  nameEn: string;
  kind: ControlPointKind;
  lon: string;
  lat: string;
  approximate: boolean;
}

export function draftFromControlPoint(p: ControlPoint): ControlPointDraft {
  return { id: p.id, isNew: false, nameZh: p.name['zh-CN'], nameEn: p.name.en, kind: p.kind, lon: coord(p.lon), lat: coord(p.lat), approximate: p.approximate };
}

/** A new control point at `at` ([lon, lat]); placed by a tap on the map, so marked approximate until the admin says otherwise. */
export function newControlPointDraft(id: string, at: readonly [number, number]): ControlPointDraft {
  return { id, isNew: true, nameZh: '', nameEn: '', kind: 'road', lon: coord(at[0]), lat: coord(at[1]), approximate: true };
}

/** Moves a control point draft to `at`. */
export function withPosition(draft: ControlPointDraft, at: readonly [number, number]): ControlPointDraft {
  return { ...draft, lon: coord(at[0]), lat: coord(at[1]) };
}

/** Where the draft is on the map now (its mark, as the map draws control points), or null while a coordinate is half typed. */
export function controlPointMarkOf(draft: ControlPointDraft): CheckpointShape | null {
  const parsed = v.safeParse(CheckpointShapeSchema, { kind: 'circle', center: [num(draft.lon), num(draft.lat)], radiusM: POINT_MARK_M });
  return parsed.success ? parsed.output : null;
}

/** The draft as a control point, checked by the schema the server uses, or every problem found. */
export function checkControlPoint(draft: ControlPointDraft): Checked<ControlPoint> {
  return checked(ControlPointSchema, {
    id: draft.id,
    name: { 'zh-CN': draft.nameZh, en: draft.nameEn },
    kind: draft.kind,
    lon: num(draft.lon),
    lat: num(draft.lat),
    approximate: draft.approximate,
  });
}

export interface ZoneDraft {
  id: string;
  isNew: boolean;
  squadId: string;
  nameZh: string;
  nameEn: string;
  /** As typed; blank is unknown (null), not zero. */
  population: string;
  /** The outer ring's corners in tap order, not repeated at the end. */
  outline: Array<[number, number]>;
  /** True once the admin closed the ring: taps on the map no longer add corners. */
  closed: boolean;
  /** A stored zone's holes, kept as they were (the map draws only the outer ring). */
  holes: Array<Array<[number, number]>>;
}

/** The stored zone as a draft: its ring without the closing repeat, closed. */
export function draftFromZone(z: ZoneEdit): ZoneDraft {
  const [outer = [], ...holes] = z.polygon.coordinates;
  return {
    id: z.id,
    isNew: false,
    squadId: z.squadId,
    nameZh: z.name['zh-CN'],
    nameEn: z.name.en,
    population: z.population === null ? '' : String(z.population),
    outline: outer.slice(0, -1).map(([lon, lat]) => [lon, lat]),
    closed: true,
    holes: holes.map((ring) => ring.map(([lon, lat]) => [lon, lat])),
  };
}

/** A new zone of `squadId` with no corners yet: the admin draws it. */
export function newZoneDraft(id: string, squadId: string): ZoneDraft {
  return { id, isNew: true, squadId, nameZh: '', nameEn: '', population: '', outline: [], closed: false, holes: [] };
}

/** The draft as a zone, its ring closed, checked by the schema the server uses (a crossing outline included), or every problem found. */
export function checkZone(draft: ZoneDraft): Checked<ZoneEdit> {
  const ring = draft.outline.concat(draft.outline.slice(0, 1));
  return checked(ZoneEditSchema, {
    id: draft.id,
    squadId: draft.squadId,
    name: { 'zh-CN': draft.nameZh, en: draft.nameEn },
    polygon: { type: 'Polygon', coordinates: [ring, ...draft.holes] },
    population: draft.population.trim() === '' ? null : num(draft.population),
  });
}

function checked<S extends v.GenericSchema>(schema: S, candidate: unknown): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, candidate);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, problems: result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })) };
}
