import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../artifact/decode-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';

/**
 * Reads and fully verifies a model file. The only place the CLIs turn a path into a model, so
 * support for more formats (scikit-learn pickles) is a change to this one call.
 *
 * @throws Error from the file system, or ModelFormatError for an invalid file.
 */
export function readModelFile(path: string): ModelArtifact {
  return decodeArtifact(readFileSync(path));
}
