/**
 * How far (a share of the map's smaller side) the officer may drift from the middle before the
 * map re-centres on them. Moving the camera on every fix redraws the whole map once a second,
 * which costs a handheld's battery (and, drawn in software, 200 ms a fix); a few metres of drift
 * are invisible, so the map moves only when the dot has visibly left the middle.
 */
export const FOLLOW_SLACK = 1 / 8;
