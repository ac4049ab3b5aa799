/**
 * Rows scored between two yields to the event loop in a batch: about a millisecond or two of
 * work for a 100-tree forest, so a 10,000-row batch never holds other requests up for long.
 */
export const SCORE_CHUNK_ROWS = 1024;
