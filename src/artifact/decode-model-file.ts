import { importSklearnModel, isPickleOrJoblib } from '../sklearn';
import { decodeArtifact } from './decode-artifact';
import type { ModelArtifact } from './model-artifact';

/**
 * Reads any model file the service accepts, dispatching on content (never on the file name):
 * a scikit-learn pickle or joblib file (PROTO byte, zlib header or another joblib compressor's
 * magic) goes to the safe pickle importer, anything else to the native artifact decoder. Both
 * verify the model fully before returning it.
 *
 * @throws ModelFormatError (PickleFormatError / PickleSecurityError for pickles) saying what is
 *   wrong; never returns half a model.
 */
export function decodeModelFile(bytes: Uint8Array): ModelArtifact {
  return isPickleOrJoblib(bytes) ? importSklearnModel(bytes) : decodeArtifact(bytes);
}
