/** The bytes of one version of a model, or why they could not be read. */
export type ModelVersionFile =
  | { readonly version: number; readonly bytes: Uint8Array }
  | {
      readonly version: number;
      /** Why the file could not be read, safe to show to callers (no path). */
      readonly reason: string;
    };

/**
 * Everything a model source holds for one model name: each version's bytes (or read failure),
 * versions ascending. What {@link ModelLoader.read} returns and what a cluster primary can send to
 * its workers: plain data, no handles.
 */
export interface ModelFiles {
  readonly name: string;
  readonly versions: readonly ModelVersionFile[];
}

/** True when the version's bytes were read. */
export function hasBytes(
  file: ModelVersionFile,
): file is { readonly version: number; readonly bytes: Uint8Array } {
  return 'bytes' in file;
}
