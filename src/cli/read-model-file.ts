import { readFileSync } from 'node:fs';
import { decodeModelFile } from '../artifact/decode-model-file';
import type { ModelArtifact } from '../artifact/model-artifact';

/**
 * Reads and fully verifies a model file: a native artifact or a scikit-learn pickle/joblib file
 * (recognised by content). The only place the CLIs turn a path into a model.
 *
 * @throws Error from the file system, or ModelFormatError for an invalid file.
 */
export function readModelFile(path: string): ModelArtifact {
  return decodeModelFile(readFileSync(path));
}
