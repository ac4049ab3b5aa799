import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKLEARN_DIR } from '../unit/sklearn/sklearn-fixtures';
import { trainArtifact } from './model-files';
import { DEFAULT_MODEL } from './test-app';

/** The scikit-learn fixture behind `cpu-mem-pickle` (2 features). */
export const PICKLE_CASE = 'seed_cpu_mem';
/** The scikit-learn fixture behind `five-features` (5 features, a joblib file). */
export const JOBLIB_CASE = 'd5_n10_ms05_mf06';
/** `anomaly-detector` version 2's artifact version id. */
export const DETECTOR_V2 = 'detector-v2';

/** Writes `bytes` as `<root>/<name>/<version>/<file>`, creating folders. */
export function writeVersion(
  root: string,
  name: string,
  version: number,
  file: string,
  bytes: Uint8Array | string,
): string {
  const folder = join(root, name, String(version));
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, file), bytes);
  return join(folder, file);
}

/**
 * The test repository in Triton's layout under `root`: `anomaly-detector` versions 1 (the
 * committed default model) and 2 (a retrained native artifact), `cpu-mem-pickle` version 1 (a
 * real scikit-learn 1.2.1 pickle) and `five-features` version 3 (a real joblib file with 5
 * features), and, with `broken`, a `broken` model whose only file is corrupt.
 */
export function writeTestRepository(root: string, options: { broken?: boolean } = {}): void {
  mkdirSync(join(root, 'anomaly-detector', '1'), { recursive: true });
  copyFileSync(DEFAULT_MODEL, join(root, 'anomaly-detector', '1', 'model.json'));
  writeVersion(
    root,
    'anomaly-detector',
    2,
    'model.json',
    trainArtifact({ seed: 7, modelVersion: DETECTOR_V2 }),
  );
  mkdirSync(join(root, 'cpu-mem-pickle', '1'), { recursive: true });
  copyFileSync(
    join(SKLEARN_DIR, `${PICKLE_CASE}.p4.pkl`),
    join(root, 'cpu-mem-pickle', '1', 'model.pkl'),
  );
  mkdirSync(join(root, 'five-features', '3'), { recursive: true });
  copyFileSync(
    join(SKLEARN_DIR, `${JOBLIB_CASE}.joblib.pkl`),
    join(root, 'five-features', '3', 'model.joblib'),
  );
  // Triton keeps a config.pbtxt beside the version folders: it is ignored.
  writeFileSync(join(root, 'five-features', 'config.pbtxt'), 'name: "five-features"\n');
  if (options.broken === true) {
    const bytes = Buffer.from(readFileSync(DEFAULT_MODEL));
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeVersion(root, 'broken', 1, 'model.json', bytes);
  }
}
