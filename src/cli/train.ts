import { MODEL_VERSION_PATTERN } from '../artifact/artifact-format';
import { decodeArtifact } from '../artifact/decode-artifact';
import { encodeArtifact } from '../artifact/encode-artifact';
import { InvalidInputError } from '../engine/errors';
import { fitIsolationForest } from '../engine/fit';
import type { IsolationForestModel } from '../engine/model';
import type { IsolationForestOptions } from '../engine/options';
import type { DenseMatrix } from '../engine/matrix';
import { summarizeTraining } from '../engine/training-summary';
import { computeTrainingReference } from '../monitoring/compute-training-reference';
import type { TrainingReference } from '../monitoring/training-reference';
import { CliError, usageError } from './cli-error';
import { parseFeatureList, parseFlags } from './cli-flags';
import { NumericCsv } from './numeric-csv';
import { Progress } from './progress';
import { processIo, runAsScript, runCli, type CliIo } from './run-cli';
import {
  SYNTHETIC_DATA_SEED,
  SYNTHETIC_FEATURES,
  SYNTHETIC_ROWS,
  syntheticServerData,
} from './synthetic-server-data';
import { parseTrainingOptions } from './training-options';
import { writeFileAtomic } from './write-file-atomic';

/** Where `npm run train` writes without `--out`: the model the service loads by default. */
export const DEFAULT_MODEL_PATH = 'model-artifacts/anomaly-detector.json';

/** Rows from which training announces its phases on stderr. */
const ANNOUNCE_ROWS = 100_000;

const USAGE = `Train an Isolation Forest (scikit-learn 1.2.1 semantics) and write a model artifact.

Usage: npm run train -- [--data FILE.csv] [--features a,b,...] [--out PATH]
                        [--n-estimators N] [--max-samples auto|N|F] [--max-features N|F]
                        [--contamination auto|F] [--bootstrap] [--random-state N]
                        [--model-version ID] [--reference-bins N]
                        [--reference-sample N]

  --data FILE.csv        CSV with a header row (default: the built-in synthetic server
                         activity, ${SYNTHETIC_ROWS} rows of ${SYNTHETIC_FEATURES.join(', ')})
  --features a,b,...     columns to train on, by header name (default: every column)
  --out PATH             artifact to write, atomically (default: ${DEFAULT_MODEL_PATH})
  --n-estimators N       trees (default 100)
  --max-samples V        rows per tree: auto = min(256, rows), N a count, F a fraction
  --max-features V       columns per tree: N a count, F a fraction (default 1.0 = all)
  --contamination V      auto (offset -0.5) or the expected anomaly share in (0, 0.5]
  --bootstrap            draw rows with replacement
  --random-state N       seed in [0, 4294967295] (default 42), recorded in the artifact
  --model-version ID     model id (default: derived from the content hash)
  --reference-bins N     quantile bins per feature in the stored training reference,
                         10 to 20 (default 10)
  --reference-sample N   training rows kept in the reference for the report's decision
                         map, drawn with the random state (default 200; 0 keeps none)
  --help                 show this text

As in scikit-learn, a number with a decimal point is a fraction (1.0 = all) and a whole
number is a count (1 = one).
Exit codes: 0 success, 1 bad data (nothing written), 2 bad command line.
`;

const FLAGS = {
  data: 'string',
  features: 'string',
  out: 'string',
  'n-estimators': 'string',
  'max-samples': 'string',
  'max-features': 'string',
  contamination: 'string',
  bootstrap: 'boolean',
  'random-state': 'string',
  'model-version': 'string',
  'reference-bins': 'string',
  'reference-sample': 'string',
  help: 'boolean',
} as const;

/**
 * `npm run train`: reads the training rows (streamed CSV into one growable Float64Array, or the
 * built-in synthetic set), fits, summarises the training scores, and writes the artifact
 * atomically. Prints a summary on stdout, progress and warnings on stderr.
 *
 * @returns the process exit code
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runCli('train', io, () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.stdout.write(USAGE);
      return Promise.resolve();
    }
    const options = parseTrainingOptions(flags);
    const features = flags.features === undefined ? null : parseFeatureList(flags.features);
    const modelVersion = flags['model-version'];
    if (modelVersion !== undefined && !MODEL_VERSION_PATTERN.test(modelVersion)) {
      throw usageError(
        `--model-version must be 1-128 letters, digits or . _ + - (starting with a letter or digit), got ${JSON.stringify(modelVersion)}`,
      );
    }
    const referenceBins = intFlag(flags['reference-bins'], '--reference-bins', 10, 10, 20);
    const referenceSample = intFlag(
      flags['reference-sample'],
      '--reference-sample',
      200,
      0,
      100_000,
    );
    const out = flags.out ?? DEFAULT_MODEL_PATH;
    const progress = new Progress(io.stderr, 'train');

    const readStart = performance.now();
    const { names, x, source } =
      flags.data === undefined ? builtInData(features) : readCsv(flags.data, features, progress);
    const readSeconds = (performance.now() - readStart) / 1000;

    if (x.rows >= ANNOUNCE_ROWS) {
      progress.line(
        `fitting ${options.nEstimators} trees on ${x.rows.toLocaleString('en-US')} rows`,
      );
    }
    const fitStart = performance.now();
    const model = fit(x, options);
    const summary = summarizeTraining(model, x);
    const reference = computeTrainingReference(model.forest, model.offset, x, {
      bins: referenceBins,
      sampleRows: referenceSample,
      seed: options.randomState,
    });
    const fitSeconds = (performance.now() - fitStart) / 1000;
    for (const warning of model.warnings ?? []) io.stderr.write(`train: warning: ${warning}\n`);

    const bytes = encodeArtifact({
      modelVersion,
      createdAt: new Date().toISOString(),
      params: model.options,
      featureNames: names,
      nFeatures: x.cols,
      offset: model.offset,
      forest: model.forest,
      nTrainingSamples: model.nSamples,
      trainingScoreQuantiles: summary.scoreQuantiles,
      featureMin: summary.featureMin,
      featureMax: summary.featureMax,
      reference,
      source: { format: 'native' },
    });
    writeFileAtomic(out, bytes);

    const o = model.options;
    const written = decodeArtifact(bytes);
    const shownNames =
      names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')}, ...`;
    io.stdout.write(
      [
        `Trained an Isolation Forest and wrote ${out}`,
        `  data            ${source}`,
        `  rows            ${x.rows.toLocaleString('en-US')}`,
        `  features        ${x.cols}: ${shownNames}`,
        `  trees           ${o.nEstimators} (max_samples ${model.forest.maxSamples}, max_features ` +
          `${model.forest.maxFeatures}, bootstrap ${o.bootstrap}, random_state ${o.randomState})`,
        `  seconds         ${fitSeconds.toFixed(2)} fit + summary, ${readSeconds.toFixed(2)} read`,
        `  offset          ${model.offset} (contamination ${o.contamination})`,
        `  flagged         ${(100 * summary.fractionFlagged).toFixed(2)}% of the training rows predict -1`,
        `  reference       ${describeReference(reference)}`,
        `  model version   ${written.modelVersion}`,
        `  size            ${(bytes.length / 1024).toFixed(1)} KiB`,
        '',
      ].join('\n'),
    );
    return Promise.resolve();
  });
}

/** `--flag N`: an integer in [min, max], or `fallback` when the flag is absent. */
function intFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw usageError(
      `${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** One line on the stored reference, for the summary. */
export function describeReference(reference: TrainingReference): string {
  const bins = reference.features.map((f) => f.proportions.length);
  const binText =
    Math.min(...bins) === Math.max(...bins)
      ? `${bins[0]} bins per feature`
      : `${Math.min(...bins)}-${Math.max(...bins)} bins per feature`;
  const sample = reference.sample === null ? 'no sample' : `${reference.sample.rows} sample rows`;
  return `score percentiles to 0.1, ${binText}, ${sample}`;
}

/** Fits; an option the data cannot satisfy (e.g. more features than columns) is a usage error. */
function fit(x: DenseMatrix, options: IsolationForestOptions): IsolationForestModel {
  try {
    return fitIsolationForest(x, options);
  } catch (e) {
    if (e instanceof InvalidInputError && e.details.option !== undefined) {
      throw usageError(e.message);
    }
    throw e;
  }
}

interface TrainingData {
  readonly names: readonly string[];
  readonly x: DenseMatrix;
  /** Where the rows came from, for the summary. */
  readonly source: string;
}

function readCsv(
  path: string,
  features: readonly string[] | null,
  progress: Progress,
): TrainingData {
  const csv = new NumericCsv(
    path,
    features === null ? { kind: 'all' } : { kind: 'names', names: features, reason: '--features' },
    // An empty cell is a missing value: the model then accepts missing values (scikit-learn 1.9).
    { onProgress: (read, total) => progress.bytes(read, total), allowMissing: true },
  );
  const x = csv.readAll((rows) => progress.rows(rows), progress.everyRows);
  return { names: csv.names, x, source: path };
}

/** The synthetic set, optionally restricted to some of its columns. */
function builtInData(features: readonly string[] | null): TrainingData {
  const { names, x } = syntheticServerData();
  const source = `built-in synthetic server activity (data seed ${SYNTHETIC_DATA_SEED})`;
  if (features === null) return { names, x, source };
  const columns = features.map((name) => {
    const j = names.indexOf(name);
    if (j === -1) {
      throw new CliError(
        `the built-in data has no column ${JSON.stringify(name)} (it has ${names.join(', ')})`,
      );
    }
    return j;
  });
  const data = new Float64Array(x.rows * columns.length);
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < columns.length; k++)
      data[i * columns.length + k] = x.data[i * x.cols + columns[k]];
  }
  return { names: features, x: { data, rows: x.rows, cols: columns.length }, source };
}

if (require.main === module) runAsScript(main);
