import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { decodeArtifact } from '../artifact/decode-artifact';
import { encodeArtifact } from '../artifact/encode-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { InvalidInputError } from '../engine/errors';
import { computeTrainingReference } from '../monitoring/compute-training-reference';
import { importSklearnModel } from '../sklearn/import-sklearn-model';
import { isPickleOrJoblib } from '../sklearn/is-pickle-or-joblib';
import { CliError, usageError } from './cli-error';
import { parseFlags } from './cli-flags';
import { describeError } from './describe-error';
import { readModelRows } from './numeric-csv';
import { processIo, runAsScript, runCli, type CliIo } from './run-cli';
import { writeFileAtomic } from './write-file-atomic';

const USAGE = `Convert a scikit-learn IsolationForest saved with pickle or joblib into a model artifact.

Usage: npm run import -- --model FILE.pkl [--out PATH] [--reference ROWS.csv]

  --model FILE     pickle (protocols 2-5) or joblib file (uncompressed or compress=N zlib)
                   of a fitted sklearn.ensemble.IsolationForest; read safely, nothing in it runs
  --out PATH       artifact to write, atomically (default: FILE with the extension .json)
  --reference CSV  rows that stand for the training data (header row; columns by the
                   model's feature names, else every column): stores the training reference
                   (score percentiles, per-feature bins, anomaly rate, 200 sample rows) that
                   anomaly_percentile, /model/monitoring and /model/report need. Without it
                   those say the model has no reference.
  --help           show this text

The artifact scores exactly like the pickle and keeps its model version (sklearn- + the
file's sha256 prefix). Serving a .pkl/.joblib directly (MODEL_PATH, --model) works too; convert
when a deployment should carry no pickle.
Exit codes: 0 written, 1 not a usable model (nothing written), 2 bad command line.
`;

const FLAGS = { model: 'string', out: 'string', reference: 'string', help: 'boolean' } as const;

/**
 * `npm run import`: reads a scikit-learn pickle/joblib file with the safe importer, encodes it as
 * a native artifact (which decodes it again before returning, so nothing invalid is written) and
 * writes it atomically. `createdAt` is the pickle file's modification time, so converting the
 * same file twice gives the same bytes.
 *
 * @returns the process exit code
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runCli('import', io, () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.stdout.write(USAGE);
      return Promise.resolve();
    }
    if (flags.model === undefined) throw usageError('--model FILE is required');
    const input = flags.model;
    const { bytes, modified } = readInput(input);
    if (!isPickleOrJoblib(bytes)) {
      throw new CliError(
        bytes[0] === 0x7b
          ? `${input} is not a pickle or joblib file (it looks like a model artifact already)`
          : `${input} is not a pickle or joblib file (it does not start with a pickle or zlib header)`,
      );
    }
    const out = flags.out ?? defaultOutput(input);
    if (resolve(out) === resolve(input)) {
      throw usageError(`--out ${out} would overwrite the model file itself`);
    }
    const imported = importModel(input, bytes, modified);
    const reference =
      flags.reference === undefined ? null : referenceFrom(flags.reference, imported);
    const encoded = encodeArtifact({
      ...imported,
      modelVersion: imported.modelVersion,
      reference,
    });
    writeFileAtomic(out, encoded);

    const written = decodeArtifact(encoded);
    const names = written.featureNames === null ? 'unnamed' : written.featureNames.join(', ');
    io.stdout.write(
      [
        `Imported ${input} and wrote ${out}`,
        `  source          ${imported.source.format} (scikit-learn ${imported.source.sklearnVersion ?? 'unknown'}, pickle protocol ${imported.formatVersion})`,
        `  features        ${written.nFeatures}: ${names}`,
        `  trees           ${written.forest.nEstimators} (max_samples ${written.forest.maxSamples}, max_features ${written.forest.maxFeatures})`,
        `  offset          ${written.offset} (contamination ${written.params.contamination})`,
        `  reference       ${reference === null ? 'none (pass --reference ROWS.csv for percentiles and drift)' : `${reference.rows.toLocaleString('en-US')} rows from ${flags.reference}`}`,
        `  model version   ${written.modelVersion}`,
        `  size            ${(bytes.length / 1024).toFixed(1)} KiB -> ${(encoded.length / 1024).toFixed(1)} KiB`,
        '',
      ].join('\n'),
    );
    return Promise.resolve();
  });
}

/** The training reference from a CSV of rows, columns picked by the model's names. */
function referenceFrom(
  path: string,
  model: ModelArtifact,
): ReturnType<typeof computeTrainingReference> {
  const x = readModelRows(path, model);
  try {
    return computeTrainingReference(model.forest, model.offset, x, {
      seed: model.params.randomState,
    });
  } catch (e) {
    if (e instanceof InvalidInputError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}

/** `model.pkl` -> `model.json` next to it (`model.joblib.gz` -> `model.joblib.json`). */
function defaultOutput(input: string): string {
  const name = basename(input);
  const stem = extname(name) === '' ? name : name.slice(0, -extname(name).length);
  return join(dirname(input), `${stem}.json`);
}

function readInput(path: string): { bytes: Uint8Array; modified: Date } {
  try {
    return { bytes: readFileSync(path), modified: statSync(path).mtime };
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${describeError(e)}`);
  }
}

/** The importer's refusal, prefixed with the file name (its message names the byte offset). */
function importModel(path: string, bytes: Uint8Array, modified: Date): ModelArtifact {
  try {
    return importSklearnModel(bytes, { createdAt: modified.toISOString() });
  } catch (e) {
    throw new CliError(`cannot import ${path}: ${describeError(e)}`);
  }
}

if (require.main === module) runAsScript(main);
