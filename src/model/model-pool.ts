import type { ModelHandoff } from './model-handoff';
import type { ReloadTrigger } from '../metrics/metrics.service';

/** The last load attempt, for `GET /model`. */
export interface LoadAttempt {
  readonly at: string;
  readonly trigger: ReloadTrigger;
  readonly ok: boolean;
  readonly reason: string | null;
}

/** What a pool's primary decided about a reload. */
export type PoolReloadResult =
  | { readonly ok: true; readonly previousVersion: string | null }
  | { readonly ok: false; readonly reason: string };

/**
 * How a pool worker's {@link ModelService} reaches the primary, which owns every load: the
 * model state handed over at start-up, and reload requests (`POST /model/reload`, `SIGHUP`),
 * which the primary runs on every worker at once. Absent in a single process.
 */
export interface ModelPoolPort {
  /** The primary's model and last load attempt when this worker started. */
  readonly initial: {
    readonly model: ModelHandoff | null;
    readonly lastLoad: LoadAttempt | null;
    /** Why no model serves (when `model` is null). */
    readonly unavailableReason: string;
  };
  /**
   * Asks the primary to reload on every worker. Resolves once the primary decided; on success
   * this worker has already committed the new model.
   */
  reload(trigger: ReloadTrigger): Promise<PoolReloadResult>;
}
