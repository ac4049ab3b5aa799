import { createHash } from 'node:crypto';
import { decodeModelBytes, readModelFile } from './model-loader';
import { ModelLoadError } from './model-load.error';
import { toServingModel } from './serving-model';

/**
 * A model file as a worker pool's primary read and verified it, handed to its workers over IPC
 * so that no worker reads the disk: the bytes, their sha256, and the load time every worker
 * reports (so `GET /model` is the same from each).
 */
export interface ModelHandoff {
  /** The model file's content. */
  readonly bytes: Uint8Array;
  /** sha256 (hex) of `bytes` as the primary read them. */
  readonly sha256: string;
  /** ISO-8601 time the primary verified the file. */
  readonly loadedAt: string;
}

/** sha256 (hex) of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The hand-off's bytes after checking them against the primary's sha256 (what the workers
 * re-verify; decoding then checks the model itself).
 *
 * @throws ModelLoadError when the bytes changed on the way.
 */
export function verifiedHandoffBytes(handoff: ModelHandoff): Uint8Array {
  if (sha256Hex(handoff.bytes) !== handoff.sha256) {
    throw new ModelLoadError('model bytes from the primary do not match their sha256');
  }
  return handoff.bytes;
}

/** A model file read and verified by a pool's primary, ready to hand to the workers. */
export interface VerifiedModel {
  readonly handoff: ModelHandoff;
  /** Its model version, for logs and reload answers. */
  readonly version: string;
}

/**
 * The primary's load: reads the file at `path` once, decodes and verifies it and runs the same
 * serving self-test a worker will, so a bad file is refused before any worker sees it.
 *
 * @throws ModelLoadError (or an unexpected error) when the file cannot serve.
 */
export async function readVerifiedModel(path: string): Promise<VerifiedModel> {
  const bytes = await readModelFile(path);
  const loadedAt = new Date();
  const model = toServingModel(decodeModelBytes(bytes), loadedAt);
  return {
    handoff: { bytes, sha256: sha256Hex(bytes), loadedAt: loadedAt.toISOString() },
    version: model.version,
  };
}

/** The reason callers may see for a failed load (the log keeps the whole error). */
export function publicLoadReason(err: unknown): string {
  return err instanceof ModelLoadError ? err.message : 'model could not be loaded (see server log)';
}
