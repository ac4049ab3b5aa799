import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ExplanationUnavailableError } from '../engine/errors';
import { explainSamples } from '../engine/explain';
import { scoreSamples } from '../engine/score';
import { explainUnavailableMessage } from '../explain/explain-unavailable-message';
import { CliError, usageError } from './cli-error';
import { parseFeatureList, parseFlags } from './cli-flags';
import { describeError } from './describe-error';
import { NumericCsv, type ColumnChoice } from './numeric-csv';
import { Progress } from './progress';
import { readModelFile } from './read-model-file';
import { processIo, runAsScript, runCli, type CliIo } from './run-cli';
import { AtomicFile } from './write-file-atomic';

/** Rows scored per batch: the reused buffers hold this many rows. */
const BATCH_ROWS = 8192;

const USAGE = `Score a CSV file offline with a trained model.

Usage: npm run score -- --model PATH --data FILE.csv [--features a,b,...] [--out FILE.csv]
                        [--explain]

  --model PATH        model artifact (e.g. model-artifacts/anomaly-detector.json) or a
                      scikit-learn IsolationForest .pkl/.joblib file
  --data FILE.csv     CSV with a header row
  --features a,b,...  columns to score, for models trained without feature names
                      (a model with names picks its own columns; extra columns are ignored)
  --out FILE.csv      write here (atomically) instead of stdout
  --explain           add expected_value and shap_<feature> for every feature: shap
                      TreeExplainer values of the mean path length (negative = pushed the
                      row toward anomalous; docs/explanations.md)
  --help              show this text

Output: CSV with header score_samples,decision_function,prediction, one row per input row
(prediction -1 = anomaly, 1 = normal; decision_function = score_samples - offset).
With --explain, the columns expected_value,shap_<feature>,... follow.
Exit codes: 0 success, 1 bad data or model (nothing written), 2 bad command line.
`;

const FLAGS = {
  model: 'string',
  data: 'string',
  features: 'string',
  out: 'string',
  explain: 'boolean',
  help: 'boolean',
} as const;

/**
 * `npm run score`: streams the CSV in batches through the engine's batch scorer with reused
 * buffers (bounded memory for any file size) and writes the scores atomically: to `--out`, or to
 * a temporary file copied to stdout only once every row has scored, so a bad row never leaves
 * half an output behind.
 *
 * @returns the process exit code
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runCli('score', io, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.stdout.write(USAGE);
      return;
    }
    if (flags.model === undefined) throw usageError('--model PATH is required');
    if (flags.data === undefined) throw usageError('--data FILE.csv is required');
    const requested = flags.features === undefined ? null : parseFeatureList(flags.features);
    const model = loadModel(flags.model);
    const explain = flags.explain === true;
    if (explain && model.forest.weightedNNodeSamples === undefined) {
      throw new CliError(
        `cannot explain with ${flags.model}: ${explainUnavailableMessage(model.formatVersion, model.source.format)}`,
      );
    }
    const choice = columnChoice(model, requested);
    const progress = new Progress(io.stderr, 'score');
    const started = performance.now();
    const csv = new NumericCsv(flags.data, choice, {
      onProgress: (read, total) => progress.bytes(read, total),
    });
    if (csv.cols !== model.nFeatures) {
      throw new CliError(
        `${flags.data} has ${csv.cols} columns (${csv.names.join(', ')}) but the model expects ` +
          `${model.nFeatures} features; pick them with --features`,
      );
    }
    const tempDir = flags.out === undefined ? mkdtempSync(join(tmpdir(), 'score-')) : null;
    try {
      const target = flags.out ?? join(tempDir as string, 'scores.csv');
      const names = explain ? explainedNames(model, csv) : null;
      const { rows, flagged } = scoreToFile(model, csv, new AtomicFile(target), progress, names);
      if (tempDir !== null) await copyToStdout(target, io.stdout);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const share = ((100 * flagged) / rows).toFixed(2);
      io.stderr.write(
        `score: ${rows.toLocaleString('en-US')} rows in ${seconds} s, ${flagged.toLocaleString('en-US')} ` +
          `(${share}%) predicted -1${flags.out === undefined ? '' : `, written to ${flags.out}`}\n`,
      );
    } finally {
      if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
    }
  });
}

/** Copies the finished output to stdout; a reader that stops early (`| head`) is not a crash. */
async function copyToStdout(path: string, stdout: NodeJS.WritableStream): Promise<void> {
  try {
    await pipeline(createReadStream(path), stdout, { end: false });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EPIPE') {
      throw new CliError('stdout was closed before all scores were written');
    }
    throw new CliError(`cannot write the scores to stdout: ${describeError(e)}`);
  }
}

/** Reads the model, turning any failure into a one-line error that names the file. */
function loadModel(path: string): ModelArtifact {
  try {
    return readModelFile(path);
  } catch (e) {
    throw new CliError(`cannot load model ${path}: ${describeError(e)}`);
  }
}

/** The model's own feature names win; else `--features`; else every column. */
function columnChoice(model: ModelArtifact, requested: readonly string[] | null): ColumnChoice {
  if (model.featureNames !== null) {
    if (requested !== null && requested.join('\u0000') !== model.featureNames.join('\u0000')) {
      throw usageError(
        `the model was trained on the columns ${model.featureNames.join(',')} and scores exactly ` +
          `those; drop --features or pass them in that order`,
      );
    }
    return { kind: 'names', names: model.featureNames, reason: "the model's feature names" };
  }
  if (requested !== null) return { kind: 'names', names: requested, reason: '--features' };
  return { kind: 'all' };
}

/** Names of the `shap_<feature>` columns: the model's feature names, else the CSV's columns. */
function explainedNames(model: ModelArtifact, csv: NumericCsv): readonly string[] {
  return model.featureNames ?? csv.names;
}

/** A CSV header cell: quoted when the name needs it (RFC 4180). */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Scores every batch into `out`; aborts (deletes) the output on any error. With `explainNames`,
 * each row also gets `expected_value` and one `shap_<feature>` column per feature.
 */
function scoreToFile(
  model: ModelArtifact,
  csv: NumericCsv,
  out: AtomicFile,
  progress: Progress,
  explainNames: readonly string[] | null,
): { rows: number; flagged: number } {
  const scores = new Float64Array(BATCH_ROWS);
  const { forest, offset } = model;
  const F = model.nFeatures;
  let rows = 0;
  let flagged = 0;
  try {
    const extra =
      explainNames === null
        ? ''
        : ',expected_value' + explainNames.map((n) => ',' + csvCell(`shap_${n}`)).join('');
    out.write(`score_samples,decision_function,prediction${extra}\n`);
    for (const batch of csv.batches(BATCH_ROWS)) {
      scoreSamples(forest, batch, scores);
      const e = explainNames === null ? null : explain(model, batch);
      let text = '';
      for (let i = 0; i < batch.rows; i++) {
        // decision_function and predict exactly as the engine computes them.
        const decision = scores[i] - offset;
        const anomaly = decision < 0;
        if (anomaly) flagged++;
        text += `${scores[i]},${decision},${anomaly ? -1 : 1}`;
        if (e !== null) {
          text += `,${e.expectedValue}`;
          for (let j = 0; j < F; j++) text += `,${e.shapValues[i * F + j]}`;
        }
        text += '\n';
      }
      out.write(text);
      rows += batch.rows;
      progress.rows(rows, rows - batch.rows);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  return { rows, flagged };
}

/** Explains one batch (the model was checked to carry node weights). */
function explain(model: ModelArtifact, batch: Parameters<typeof explainSamples>[1]) {
  try {
    return explainSamples(model.forest, batch);
  } catch (e) {
    if (e instanceof ExplanationUnavailableError) throw new CliError(e.message);
    throw e;
  }
}

if (require.main === module) runAsScript(main);
