import { openXunfangDB } from '../../store/schema.js';

/** The page's one connection to the device database, opened at start-up. */
export const deviceDb = openXunfangDB();
