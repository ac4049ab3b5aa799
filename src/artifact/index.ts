export { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION } from './artifact-format';
export { decodeArtifact } from './decode-artifact';
export { encodeArtifact } from './encode-artifact';
export type { ArtifactInput, ModelArtifact, ModelSourceFormat } from './model-artifact';
export { decodeModelFile } from './decode-model-file';
