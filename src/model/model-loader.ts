import { Injectable } from '@nestjs/common';
import { open } from 'node:fs/promises';
import { decodeModelFile, type ModelArtifact } from '../artifact';
import { ModelFormatError } from '../engine';
import { ModelLoadError } from './model-load.error';
import { MAX_MODEL_FILE_BYTES } from './model.constants';

/**
 * The only code in the service that touches the disk: reads a model file and decodes it, a native
 * artifact or a scikit-learn pickle/joblib file (decodeModelFile, by content; both paths verify
 * the forest's structure, and pickles are read without executing anything). Failures become
 * {@link ModelLoadError}s with a reason callers may see.
 */
@Injectable()
export class ModelLoader {
  /** Reads and decodes the model file at `path`. */
  async load(path: string): Promise<ModelArtifact> {
    return decodeModelBytes(await readModelFile(path));
  }

  /** Decodes (and so verifies) model file content read elsewhere (a worker's hand-off). */
  decode(bytes: Uint8Array): ModelArtifact {
    return decodeModelBytes(bytes);
  }
}

/**
 * Decodes and verifies the content of a model file. @throws ModelLoadError with a reason
 * callers may see.
 */
export function decodeModelBytes(bytes: Uint8Array): ModelArtifact {
  try {
    return decodeModelFile(bytes);
  } catch (err) {
    if (err instanceof ModelFormatError) {
      throw new ModelLoadError(`model file is invalid: ${publicReason(err.message)}`, {
        cause: err,
      });
    }
    throw new ModelLoadError('model file could not be decoded', { cause: err });
  }
}

/**
 * Reads the model file at `path` (a regular file of at most {@link MAX_MODEL_FILE_BYTES}).
 * With a worker pool only the primary calls this. @throws ModelLoadError
 */
export async function readModelFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ModelLoadError(fsReason(err), { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new ModelLoadError('MODEL_PATH is a directory, not a file');
    if (!stat.isFile()) throw new ModelLoadError('MODEL_PATH is not a regular file');
    if (stat.size > MAX_MODEL_FILE_BYTES) {
      throw new ModelLoadError(
        `model file is larger than ${MAX_MODEL_FILE_BYTES} bytes (${stat.size})`,
      );
    }
    const buffer = await handle.readFile();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(fsReason(err), { cause: err });
  } finally {
    await handle.close();
  }
}

/**
 * The decoder's message without the JSON parser's own wording, which it quotes for operators
 * (callers see "not valid JSON" or "truncated: ..."; the server log keeps the parser's text).
 */
export function publicReason(message: string): string {
  if (message.startsWith(JSON_FAILURE)) return JSON_FAILURE;
  return message.replace(/\s*\([^()]*\bJSON\b[^()]*\)/g, '');
}

const JSON_FAILURE = 'not valid JSON';

/** A reason without the path (it is in the server log, and callers know MODEL_PATH). */
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'model file not found (MODEL_PATH)';
  if (code === 'EACCES' || code === 'EPERM')
    return 'model file is not readable (permission denied)';
  if (code === 'EISDIR') return 'MODEL_PATH is a directory, not a file';
  return 'model file could not be read';
}
