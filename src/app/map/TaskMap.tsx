import type * as GeoJSON from 'geojson';
import { Marker } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { Zone } from '../../domain/checkpoints.js';
import { taskMark, taskTarget, type Task, type TaskMark } from '../../domain/tasks.js';
import { t } from '../i18n/index.js';
import { MARK_KEYS } from '../screens/task-text.js';
import { toDisplayPoint } from './display-coords.js';
import { MapBoundaries, MapZones, shapeGeometry } from './layers.js';
import { MapFit, MapView, useMap } from './MapView.js';
import { MARK_COLOURS } from './task-marks.js';
import { useBaseMap } from './useBaseMap.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

/** A single task framed alone is shown at street level, not at the map's deepest zoom. */
const FIT_MAX_ZOOM = 16;
/** Room around the framed tasks for their titles, which hang below and beside their dots. */
const FIT_PADDING_PX = 56;
/** The marker's dot (styles.css `.map-task-dot`): the marker is anchored so the dot's centre sits on the place. */
const DOT_PX = 18;

export interface TaskMapProps {
  zones: readonly Zone[];
  tasks: readonly Task[];
  /** The board's clock, so a task turns overdue on the map when it does on its card. */
  now: number;
  /** The task whose card is highlighted, its marker too. */
  selected: string | null;
  onSelect: (taskId: string) => void;
}

interface Placed {
  task: Task;
  mark: TaskMark;
  /** Where its marker goes (WGS-84 [lon, lat]): a point's centre, an area's middle. */
  at: [number, number];
}

/** The leader's map of unfinished tasks: each at its place, coloured by its mark, tapped to find its card. */
export function TaskMap({ zones, tasks, now, selected, onSelect }: TaskMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const placed = useMemo(
    () =>
      tasks.flatMap((task): Placed[] => {
        const mark = taskMark(task, now);
        const at = taskTarget(task);
        return mark && at ? [{ task, mark, at: [at.lon, at.lat] }] : [];
      }),
    [tasks, now],
  );
  const outline = useMemo(() => zones.flatMap((z) => z.polygon.coordinates[0] ?? []) as Array<[number, number]>, [zones]);

  if (!settings || !style) return <div class="map map-loading" />;
  // Frame the tasks' whole areas (a point's arrival circle too), else the squad's zones.
  const fit =
    placed.length > 0 ? placed.flatMap(({ task }) => (task.location ? (shapeGeometry(task.location).coordinates[0] as Array<[number, number]>) : [])) : outline;
  const [lon = 114.41, lat = 23.1] = fit[0] ?? [];
  return (
    <div class="task-map" data-testid="task-map" data-tasks={placed.length}>
      <MapView center={[lon, lat]} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapZones zones={zones} />
        <MapTaskAreas placed={placed} />
        <MapTaskMarkers placed={placed} selected={selected} onSelect={onSelect} />
        <MapFit points={fit} maxZoom={FIT_MAX_ZOOM} padding={FIT_PADDING_PX} />
      </MapView>
    </div>
  );
}

/** Each task's area (a polygon, or a point's arrival circle, fainter) in its mark's colour. */
function MapTaskAreas({ placed }: { placed: readonly Placed[] }) {
  const data = useMemo(
    (): GeoJSON.FeatureCollection => ({
      type: 'FeatureCollection',
      features: placed.flatMap(({ task, mark }) =>
        task.location
          ? [{ type: 'Feature', properties: { colour: MARK_COLOURS[mark], kind: task.location.kind }, geometry: shapeGeometry(task.location) }]
          : [],
      ),
    }),
    [placed],
  );
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['match', ['get', 'kind'], 'polygon', 0.3, 0.15] } },
    { suffix: 'line', type: 'line', paint: { 'line-color': ['get', 'colour'], 'line-width': ['match', ['get', 'kind'], 'polygon', 2.5, 1.5] } },
  ]);
  return null;
}

/**
 * A tappable marker per task: a dot in its mark's colour over its title. HTML markers, like the
 * map's names (MapNames in layers.tsx), so Chinese titles need no glyphs; the element carries the
 * task's id, mark and WGS-84 place for tools and tests.
 */
function MapTaskMarkers({ placed, selected, onSelect }: { placed: readonly Placed[]; selected: string | null; onSelect: (taskId: string) => void }) {
  const { map, gcj02 } = useMap();
  // Markers are rebuilt when the tasks change, not when the board passes a new callback.
  const latest = useRef(onSelect);
  latest.current = onSelect;
  useEffect(() => {
    if (!map) return;
    // The board's order puts urgent and overdue tasks first; added last, their markers sit on top where titles overlap.
    const markers = [...placed].reverse().map(({ task, mark, at }) => {
      const element = document.createElement('button');
      element.type = 'button';
      element.className = 'map-task';
      element.dataset.task = task.id;
      element.dataset.mark = mark;
      element.dataset.lon = at[0].toFixed(6);
      element.dataset.lat = at[1].toFixed(6);
      element.style.setProperty('--mark', MARK_COLOURS[mark]);
      element.setAttribute('aria-pressed', String(task.id === selected));
      element.setAttribute('aria-label', `${task.title} · ${t(MARK_KEYS[mark])}`);
      const dot = document.createElement('span');
      dot.className = 'map-task-dot';
      const title = document.createElement('span');
      title.className = 'map-task-title';
      title.textContent = task.title;
      element.append(dot, title);
      element.addEventListener('click', () => latest.current(task.id));
      return new Marker({ element, anchor: 'top', offset: [0, -DOT_PX / 2] }).setLngLat(toDisplayPoint(at, gcj02)).addTo(map);
    });
    return () => {
      for (const marker of markers) marker.remove();
    };
  }, [map, gcj02, placed, selected]);
  return null;
}
