// How long an officer needs to reach a control point. The one place that knows it: the
// assignment only ever calls a `TravelTimeFn`, so road routing can replace the straight line
// by passing its own function without touching the matching.
import { haversineM, type LatLon } from '../geo.js';

/** How a shift moves: what its speed, and so its reach, is. */
export type TravelMode = 'foot' | 'bicycle' | 'motorbike' | 'car';

/**
 * Average speeds over the straight line, in m/s, through a city centre at an urgent pace:
 * a brisk walk or jog (6.5 km/h), a bicycle (16 km/h), a motorbike that filters through traffic
 * (32 km/h), a car held up by junctions (27 km/h). Straight-line speeds, so they already sit
 * below road speeds by a city's usual detour (~1.3× the straight line).
 */
export const TRAVEL_SPEED_MPS: Readonly<Record<TravelMode, number>> = { foot: 1.8, bicycle: 4.5, motorbike: 9, car: 7.5 };

/** Seconds from one place to another for a mode of travel; must be finite and ≥ 0. */
export type TravelTimeFn = (from: LatLon, to: LatLon, mode: TravelMode) => number;

/** The default travel time: great-circle distance over the mode's straight-line speed. */
export const straightLineTravelS: TravelTimeFn = (from, to, mode) => haversineM(from, to) / TRAVEL_SPEED_MPS[mode];

/**
 * How an officer travels, from the shift's free-text vehicle (巡防报备): none is on foot; a
 * motorbike or e-bike, a bicycle, or else a car. A guess the leader can correct by pinning.
 */
export function travelModeOfVehicle(vehicle: string | null): TravelMode {
  if (vehicle === null || vehicle.trim() === '') return 'foot';
  const text = vehicle.toLowerCase();
  if (/摩托|电动|电瓶|moto|scooter|e-?bike/.test(text)) return 'motorbike';
  if (/自行车|单车|bicycle|bike/.test(text)) return 'bicycle';
  return 'car';
}
