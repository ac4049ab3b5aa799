/** Restart back-off of a worker pool's supervisor. */
export interface RestartBackoffOptions {
  /** Delay before restarting a worker that had been running stably. */
  readonly initialMs: number;
  /** Upper bound of the delay. */
  readonly maxMs: number;
  /** A worker that ran at least this long before dying counts as stable: the back-off resets. */
  readonly stableMs: number;
}

/** The pool's back-off: 100 ms, doubling per quick crash, at most 30 s; reset after 30 s up. */
export const RESTART_BACKOFF: RestartBackoffOptions = {
  initialMs: 100,
  maxMs: 30_000,
  stableMs: 30_000,
};

/** A worker slot's crash history, as {@link nextRestart} reads and returns it. */
export interface CrashHistory {
  /** Crashes in a row, each within `stableMs` of its start. */
  readonly quickCrashes: number;
}

/**
 * The delay before restarting a worker that died after running `uptimeMs`, and the slot's new
 * history: exponential in the number of quick crashes in a row (`initialMs * 2^n`, capped at
 * `maxMs`), back to `initialMs` once a worker had run for `stableMs`. A crash loop (a model that
 * kills the process, a bad host) so costs little CPU, and a one-off crash is replaced at once.
 */
export function nextRestart(
  history: CrashHistory,
  uptimeMs: number,
  options: RestartBackoffOptions = RESTART_BACKOFF,
): { readonly delayMs: number; readonly history: CrashHistory } {
  const quickCrashes = uptimeMs >= options.stableMs ? 0 : history.quickCrashes + 1;
  const exponent = Math.max(0, quickCrashes - 1);
  const delayMs = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(exponent, 30));
  return { delayMs, history: { quickCrashes } };
}
