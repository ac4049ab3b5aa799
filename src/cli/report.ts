import { scoreSamples } from '../engine/score';
import type { ModelArtifact } from '../artifact/model-artifact';
import { DriftWindow } from '../monitoring/drift-window';
import { buildReportInput } from '../report/build-report-input';
import { renderReportHtml } from '../report/render-report-html';
import { CliError, usageError } from './cli-error';
import { parseFlags } from './cli-flags';
import { describeError } from './describe-error';
import { readModelRows } from './numeric-csv';
import { readModelFile } from './read-model-file';
import { processIo, runAsScript, runCli, type CliIo } from './run-cli';
import { writeFileAtomic } from './write-file-atomic';

const USAGE = `Write the model report (the page GET /model/report serves) to an HTML file.

Usage: npm run report -- --model PATH [--data live.csv] --out report.html
                         [--psi-threshold F] [--min-rows N]

  --model PATH        model artifact (or scikit-learn pickle/joblib file)
  --data live.csv     rows to compare with the training reference (header row; columns by
                      the model's feature names, else every column): they play the live
                      window; without it the page shows the model and its training data only
  --out report.html   page to write, atomically (a single self-contained file)
  --psi-threshold F   PSI above which a feature counts as drifting (default 0.2)
  --min-rows N        live rows needed for a verdict (default 500)
  --help              show this text

Exit codes: 0 written, 1 bad model or data (nothing written), 2 bad command line.
`;

const FLAGS = {
  model: 'string',
  data: 'string',
  out: 'string',
  'psi-threshold': 'string',
  'min-rows': 'string',
  help: 'boolean',
} as const;

/**
 * `npm run report`: renders the model report offline. With `--data`, the rows are scored and
 * counted into a drift window that holds all of them, exactly as the service's window counts
 * the rows it scores.
 *
 * @returns the process exit code
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runCli('report', io, () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.stdout.write(USAGE);
      return Promise.resolve();
    }
    if (flags.model === undefined) throw usageError('--model PATH is required');
    if (flags.out === undefined) throw usageError('--out report.html is required');
    const psiThreshold = numberFlag(flags['psi-threshold'], '--psi-threshold', 0.2);
    const minRows = numberFlag(flags['min-rows'], '--min-rows', 500);
    if (!Number.isInteger(minRows)) throw usageError('--min-rows must be a whole number');
    const model = loadModel(flags.model);
    let counts = null;
    let liveLabel = 'none (no --data given)';
    if (flags.data !== undefined) {
      if (!model.reference) {
        throw new CliError(
          `${flags.model} has no training reference, so the rows of ${flags.data} have nothing to be compared with: import the model with --reference ROWS.csv, or leave --data out`,
        );
      }
      const x = readModelRows(flags.data, model);
      const window = new DriftWindow(model.reference, Math.max(1, x.rows), 1);
      window.observeRows(x.data, scoreSamples(model.forest, x), model.offset, Date.now());
      counts = window.read();
      liveLabel = `the ${x.rows.toLocaleString('en-US')} rows of ${flags.data}`;
    }
    const html = renderReportHtml(
      buildReportInput(model, {
        counts,
        liveLabel,
        psiThreshold,
        minRows,
        generatedAt: new Date().toISOString(),
      }),
    );
    writeFileAtomic(flags.out, Buffer.from(html, 'utf8'));
    const status = counts === null ? 'no live rows' : `${counts.rows} live rows`;
    io.stdout.write(`Wrote ${flags.out} (${(html.length / 1024).toFixed(1)} KiB, ${status})\n`);
    return Promise.resolve();
  });
}

function numberFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n >= 0)) {
    throw usageError(`${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function loadModel(path: string): ModelArtifact {
  try {
    return readModelFile(path);
  } catch (e) {
    throw new CliError(`cannot load model ${path}: ${describeError(e)}`);
  }
}

if (require.main === module) runAsScript(main);
