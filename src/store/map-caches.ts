// Cache Storage names shared by the service worker (which answers map requests from them) and
// the page (which fills the offline area). Both sides must agree, so they live here once.

/** Base-map tiles, glyphs, sprites and styles seen while online: bounded and expiring. */
export const TILE_CACHE = 'xf-tiles';

/**
 * The area the officer downloaded on purpose: kept until they download another or delete it,
 * never evicted by browsing (an officer who prepared for a dead zone must find it there).
 */
export const AREA_CACHE = 'xf-area';
