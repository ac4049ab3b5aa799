import type { ReloadTrigger } from '../metrics/metrics.service';
import type { ServingModel } from './serving-model';

/** One version of a model in the registry: loaded and serving, or the reason it is not. */
export type VersionSlot =
  | {
      readonly version: number;
      readonly state: 'READY';
      readonly model: ServingModel;
      readonly reason: null;
    }
  | {
      readonly version: number;
      readonly state: 'UNAVAILABLE';
      readonly model: null;
      /** Why this version does not serve, safe to show to callers. */
      readonly reason: string;
    };

/** A load attempt of one model, as `GET /model` and the repository index report it. */
export interface LoadAttempt {
  readonly at: string;
  readonly trigger: ReloadTrigger;
  readonly ok: boolean;
  readonly reason: string | null;
}

/**
 * Everything the registry holds about one model name. Immutable: every change installs a new
 * entry with one assignment, which is what makes swaps atomic per model.
 */
export interface ModelEntry {
  readonly name: string;
  /** Every known version, ascending (may be empty). */
  readonly versions: readonly VersionSlot[];
  /** Why the model serves nothing when that is not a version's own failure (e.g. `unloaded`). */
  readonly reason: string | null;
  /** The last load attempt, or null before the first one finished. */
  readonly lastLoad: LoadAttempt | null;
}

/** A version that failed to read, decode or verify, with the error for the server log. */
export interface VersionFailure {
  readonly version: number;
  readonly reason: string;
  readonly cause?: unknown;
}

/**
 * The result of decoding and verifying every version of a model ({@link ModelRegistry.prepare}),
 * not yet installed: the registry is untouched until {@link ModelRegistry.install}.
 */
export interface PreparedModel {
  readonly name: string;
  /** One slot per version, ascending, failed ones with their reason. */
  readonly versions: readonly VersionSlot[];
  readonly failures: readonly VersionFailure[];
  /** Why the model as a whole cannot serve (no version found), else null. */
  readonly reason: string | null;
}

/** Result of one load. */
export type LoadOutcome =
  | {
      readonly ok: true;
      readonly name: string;
      /** The model that serves requests without a version now (the highest version). */
      readonly model: ServingModel;
      /** What served requests without a version before, or null. */
      readonly previous: ServingModel | null;
    }
  | {
      readonly ok: false;
      readonly name: string;
      /** Why the load failed, safe to show to callers. */
      readonly reason: string;
      /** What serves requests without a version now (the previous model, if any), or null. */
      readonly serving: ServingModel | null;
    };

/** The slot requests without a version go to: the highest version. */
export function latestSlot(entry: ModelEntry): VersionSlot | undefined {
  return entry.versions[entry.versions.length - 1];
}

/** The model serving requests without a version, or null. */
export function latestModel(entry: ModelEntry | undefined): ServingModel | null {
  return entry === undefined ? null : (latestSlot(entry)?.model ?? null);
}
