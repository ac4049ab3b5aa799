import type { ReloadTrigger } from '../metrics/metrics.service';
import type { RegistryChange } from './model-handoff';

/** What a pool's primary decided about a load or an unload. */
export type PoolChangeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The primary does not know the model name (404, as in a single process). */
      readonly notFound?: boolean;
    };

/**
 * How a pool worker's {@link ModelRegistry} reaches the primary, which owns every load: the
 * registry changes so far (replayed at start-up) and load/unload requests (`POST /model/reload`,
 * `SIGHUP`, repository load/unload), which the primary runs on every worker at once, two-phase.
 * Absent in a single process.
 */
export interface ModelPoolPort {
  /** Every registry change a worker starting now replays, in order. */
  readonly changes: readonly RegistryChange[];
  /**
   * Asks the primary to load `name` on every worker. Resolves once the primary decided; by then
   * this worker has installed the outcome (or nothing changed anywhere).
   */
  load(name: string, trigger: ReloadTrigger): Promise<PoolChangeResult>;
  /** Asks the primary to unload `name` on every worker (same contract as {@link load}). */
  unload(name: string): Promise<PoolChangeResult>;
}
