/** Largest model file the loader reads (a 100-tree forest is well under 1 MiB). */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

/** Longest failure reason shown to callers (the server log keeps the whole error). */
export const MAX_REASON_LENGTH = 300;

/** Injection token of the {@link ModelPoolPort} (provided only in pool workers). */
export const MODEL_POOL = 'MODEL:POOL';
