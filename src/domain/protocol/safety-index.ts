// `GET /api/safety-index` and `GET /api/areas`: the published safety index and the areas it is published for.
import type { Area } from '../areas.js';
import type { Month, MonthIndex } from '../safety-index.js';

/** An area without its boundary (the map asks for those once, from /api/areas). */
export type IndexArea = Omit<Area, 'geometry'>;

export interface SafetyIndexResponse {
  /** The month asked for; `months` ends with it. */
  month: Month;
  /** Twelve months ending with `month`, oldest first: the trend, and last month for the change. */
  months: MonthIndex[];
  /** The unit's towns and streets, then its communities. */
  areas: IndexArea[];
  /** Category codes of the preventable kinds, the community columns in order. */
  preventable: string[];
}

/** The unit's areas with their boundaries. */
export interface AreasResponse {
  areas: Area[];
}
