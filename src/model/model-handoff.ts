import { createHash } from 'node:crypto';
import type { ReloadTrigger } from '../metrics/metrics.service';
import { ModelLoadError } from './model-load.error';
import { hasBytes, type ModelFiles } from './model-source';
import { decodeServingModel } from './serving-model';

/** One version of a {@link ModelHandoff}: its bytes and their sha256, or why it was unreadable. */
export type HandoffVersion =
  | { readonly version: number; readonly bytes: Uint8Array; readonly sha256: string }
  | { readonly version: number; readonly reason: string };

/**
 * A model's files as a worker pool's primary read and verified them, handed to its workers over
 * IPC so that no worker reads the disk: every version's bytes with their sha256, and the load
 * time every worker reports (so `GET /model` is the same from each).
 */
export interface ModelHandoff {
  readonly name: string;
  readonly versions: readonly HandoffVersion[];
  /** ISO-8601 time the primary read the files. */
  readonly loadedAt: string;
}

/**
 * One change of the registry, as the primary replays it to a worker that starts later: an
 * install of handed-over files (what `ModelRegistry.install` makes of them, success or not) or
 * an unload.
 */
export type RegistryChange =
  | {
      readonly kind: 'install';
      readonly handoff: ModelHandoff;
      readonly trigger: ReloadTrigger;
      /** The load attempt's time (`last_load.at`), the same on every worker. */
      readonly at: string;
    }
  | { readonly kind: 'unload'; readonly name: string };

/** sha256 (hex) of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The hand-off of `files`, read at `loadedAt`. */
export function toHandoff(files: ModelFiles, loadedAt: Date): ModelHandoff {
  return {
    name: files.name,
    loadedAt: loadedAt.toISOString(),
    versions: files.versions.map((v) =>
      hasBytes(v)
        ? { version: v.version, bytes: v.bytes, sha256: sha256Hex(v.bytes) }
        : { version: v.version, reason: v.reason },
    ),
  };
}

/**
 * The hand-off's files after checking every version's bytes against the primary's sha256 (what
 * the workers re-verify before decoding their own copy).
 *
 * @throws ModelLoadError when bytes changed on the way.
 */
export function filesFromHandoff(handoff: ModelHandoff): ModelFiles {
  return {
    name: handoff.name,
    versions: handoff.versions.map((v) => {
      if (!('bytes' in v)) return v;
      if (sha256Hex(v.bytes) !== v.sha256) {
        throw new ModelLoadError(
          `model ${handoff.name} version ${v.version}: bytes from the primary do not match their sha256`,
        );
      }
      return { version: v.version, bytes: v.bytes };
    }),
  };
}

/** What the primary's own verification of a hand-off found. */
export interface HandoffVerdict {
  /** Why the load is not a complete success (as the registry words it), or null. */
  readonly reason: string | null;
  /** Artifact id of the highest version that verified, or null. */
  readonly modelVersion: string | null;
}

/**
 * Decodes and verifies every version of `files` once, in the primary, exactly as each worker's
 * `ModelRegistry.prepare` will (the same pure {@link decodeServingModel}), so the primary knows
 * the outcome before any worker changes and can tell a worker-specific failure from a bad file.
 */
export function verifyFiles(files: ModelFiles, loadedAt: Date): HandoffVerdict {
  const failures: { version: number; reason: string }[] = [];
  let modelVersion: string | null = null;
  const versions = [...files.versions].sort((a, b) => a.version - b.version);
  for (const file of versions) {
    if (!hasBytes(file)) {
      failures.push({ version: file.version, reason: file.reason });
      continue;
    }
    try {
      const model = decodeServingModel(
        file.bytes,
        { name: files.name, version: file.version },
        loadedAt,
      );
      modelVersion = model.modelVersion;
    } catch (err) {
      failures.push({ version: file.version, reason: publicLoadReason(err) });
    }
  }
  if (versions.length === 0) return { reason: 'no model versions found', modelVersion };
  if (failures.length === 0) return { reason: null, modelVersion };
  const reason =
    versions.length === 1
      ? failures[0].reason
      : failures.map((f) => `version ${f.version}: ${f.reason}`).join('; ');
  return { reason, modelVersion };
}

/** The reason callers may see for a failed load (the log keeps the whole error). */
export function publicLoadReason(err: unknown): string {
  return err instanceof ModelLoadError ? err.message : 'model could not be loaded (see server log)';
}
