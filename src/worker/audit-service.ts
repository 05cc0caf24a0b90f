import { analyseRoute, unpackPoints, type PackedPoints, type RouteAnalysis, type RouteAnalysisInput } from '../domain/route-analysis.js';

// The supervisor's route analysis (stops, summary, plausibility flags) of a loaded shift: for a
// 12-hour shift at 5 s fixes (8,640 points) some 40–70 ms on a desktop, a long task on a phone's
// main thread. The points come packed in transferred columns (route-analysis.ts packPoints).

export const auditService = {
  /** Analyses a shift's route; evidence names points by their index in the packed list (withPointIds maps them back). */
  analyseRoute(input: Omit<RouteAnalysisInput, 'points'> & { points: PackedPoints }): RouteAnalysis {
    return analyseRoute({ ...input, points: unpackPoints(input.points) });
  },
};
