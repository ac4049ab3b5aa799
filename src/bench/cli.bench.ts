/**
 * CLI benchmark (`npm run bench:cli`): `npm run score` end to end on a 100,000-row CSV against
 * scikit-learn's `np.loadtxt` + `score_samples` on the same file with the same forest, in the
 * same run, as a ratio (the target: >= 3x).
 *
 * Method: the data (server activity like the default model's: two regimes and 4% incidents,
 * drawn with the engine's numpy-compatible RandomState) are written once as a CSV. scikit-learn
 * 1.2.1 (`/usr/bin/python3`) fits `IsolationForest(random_state=42)` on the built-in training
 * set and pickles it; `npm run import` turns that pickle into a model artifact, so both sides
 * score the same trees. Then, round by round so the load of a shared machine weighs on every
 * side alike:
 * - `npm run -s score -- --model M --data D --out O`: what a user types, timed from spawn to
 *   exit (npm, node, the build freshness check, reading, scoring, writing the output CSV);
 * - `node dist/cli/score.js` with the same flags: the compiled CLI's own time, so that the
 *   difference is what the npm script adds (target: at most 0.5 s);
 * - `npx ml-anomaly-api score` with the same flags (for information: npx resolves the bin first);
 * - scikit-learn: a python process that loads the pickle, then times `np.loadtxt` +
 *   `score_samples` with `time.perf_counter` (the baseline: interpreter start, imports and
 *   unpickling are NOT counted, which favours scikit-learn), and its own wall time from spawn to
 *   exit beside it.
 * Medians of the rounds; the predictions of both sides are compared row by row. The last line
 * of output is one JSON object with every figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticServerData } from '../cli/synthetic-server-data';
import { RandomState } from '../engine';

const PYTHON = '/usr/bin/python3';
const ROWS = 100_000;
const ROUNDS = 5;
/** The targets: end-to-end speed-up over scikit-learn, and what npm may add. */
const TARGET_SPEEDUP = 3;
const TARGET_NPM_OVERHEAD_S = 0.5;
const ROOT = join(__dirname, '..', '..');

/** Fits scikit-learn's forest on the training CSV and pickles it. */
const PY_FIT = String.raw`
import json, pickle, sys
try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import IsolationForest
except Exception as e:
    print(json.dumps({"available": False, "reason": repr(e)})); sys.exit(0)
train, model_out = sys.argv[1], sys.argv[2]
clf = IsolationForest(random_state=42).fit(np.loadtxt(train, delimiter=",", skiprows=1))
with open(model_out, "wb") as f:
    pickle.dump(clf, f)
print(json.dumps({"available": True, "sklearn": sklearn.__version__, "numpy": np.__version__}))
`;

/** One timed scikit-learn run: load the pickle (untimed), then np.loadtxt + score_samples. */
const PY_SCORE = String.raw`
import json, pickle, sys, time
import numpy as np
with open(sys.argv[1], "rb") as f:
    clf = pickle.load(f)
t0 = time.perf_counter()
X = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
scores = clf.score_samples(X)
wall = time.perf_counter() - t0
if len(sys.argv) > 3:
    scores.astype("<f8").tofile(sys.argv[3])
print(json.dumps({"seconds": wall, "rows": int(X.shape[0])}))
`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs a command to completion; returns its wall time in seconds and its output. */
function timedRun(cmd: string, args: string[]): { seconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  return { seconds, stdout: r.stdout };
}

/** Server-activity rows shaped like the default model's training data, as CSV text. */
function serverActivityCsv(rows: number, seed: number): string {
  const rs = new RandomState(seed);
  const lines = ['cpu_usage,memory_load'];
  for (let i = 0; i < rows; i++) {
    const u = rs.randomSample();
    if (u < 0.96) {
      const centre = u < 0.48 ? 2 : -2;
      lines.push(`${centre + 0.3 * rs.standardNormal()},${centre + 0.3 * rs.standardNormal()}`);
    } else {
      lines.push(`${-6 + 12 * rs.randomSample()},${-6 + 12 * rs.randomSample()}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function matrixCsv(names: readonly string[], data: Float64Array, cols: number): string {
  const lines = [names.join(',')];
  for (let i = 0; i < data.length; i += cols)
    lines.push(Array.from(data.subarray(i, i + cols)).join(','));
  return `${lines.join('\n')}\n`;
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}

function main(): void {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'cli-bench-'));
  try {
    const data = join(dir, 'data.csv');
    const train = join(dir, 'train.csv');
    const pickle = join(dir, 'model.pkl');
    const model = join(dir, 'model.json');
    const out = join(dir, 'scores.csv');
    const skScores = join(dir, 'sklearn-scores.f64');
    writeFileSync(data, serverActivityCsv(ROWS, 7));
    const { names, x } = syntheticServerData();
    writeFileSync(train, matrixCsv(names, x.data, x.cols));
    writeFileSync(join(dir, 'fit.py'), PY_FIT);
    writeFileSync(join(dir, 'score.py'), PY_SCORE);
    console.log(
      `node ${process.version}; ${ROWS.toLocaleString('en-US')}-row CSV (${(readFileSync(data).length / 1e6).toFixed(1)} MB); ${ROUNDS} alternating rounds`,
    );

    const fitted = JSON.parse(timedRun(PYTHON, [join(dir, 'fit.py'), train, pickle]).stdout) as {
      available: boolean;
      reason?: string;
      sklearn?: string;
      numpy?: string;
    };
    if (!fitted.available) {
      console.log(
        `scikit-learn is not available in ${PYTHON} (${fitted.reason}): apt-get install python3-sklearn`,
      );
      process.exitCode = 1;
      return;
    }
    timedRun('npm', ['run', '-s', 'import', '--', '--model', pickle, '--out', model]);
    const flags = ['--model', model, '--data', data, '--out', out];

    const npmRun: number[] = [];
    const compiled: number[] = [];
    const npx: number[] = [];
    const sklearn: number[] = [];
    const sklearnProcess: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      npmRun.push(timedRun('npm', ['run', '-s', 'score', '--', ...flags]).seconds);
      compiled.push(timedRun(process.execPath, ['dist/cli/score.js', ...flags]).seconds);
      npx.push(timedRun('npx', ['ml-anomaly-api', 'score', ...flags]).seconds);
      const sk = timedRun(PYTHON, [join(dir, 'score.py'), pickle, data]);
      sklearn.push((JSON.parse(sk.stdout) as { seconds: number }).seconds);
      sklearnProcess.push(sk.seconds);
    }

    // Same trees, same predictions: compare the last output with scikit-learn's scores.
    timedRun(PYTHON, [join(dir, 'score.py'), pickle, data, skScores]);
    const theirs = readFileSync(skScores);
    const ours = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1);
    let predictionMismatches = 0;
    let maxScoreDiff = 0;
    ours.forEach((line, i) => {
      const [score, , prediction] = line.split(',').map(Number);
      const reference = theirs.readDoubleLE(i * 8);
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(score - reference));
      if (prediction !== (reference + 0.5 < 0 ? -1 : 1)) predictionMismatches++;
    });

    const m = {
      npm: median(npmRun),
      compiled: median(compiled),
      npx: median(npx),
      sklearn: median(sklearn),
      sklearnProcess: median(sklearnProcess),
    };
    const speedup = m.sklearn / m.npm;
    const overhead = m.npm - m.compiled;
    const s = (v: number) => `${v.toFixed(2)} s`;
    console.log(
      `npm run score              : ${s(m.npm)} (rounds ${npmRun.map((v) => v.toFixed(2)).join(', ')})`,
    );
    console.log(
      `node dist/cli/score.js     : ${s(m.compiled)} (npm run adds ${s(overhead)}; target <= ${TARGET_NPM_OVERHEAD_S} s)`,
    );
    console.log(`npx ml-anomaly-api score   : ${s(m.npx)}`);
    console.log(
      `scikit-learn ${fitted.sklearn} loadtxt+score_samples: ${s(m.sklearn)} (its whole python process: ${s(m.sklearnProcess)})`,
    );
    console.log(
      `ratio: npm run score is ${speedup.toFixed(1)}x faster than scikit-learn (target >= ${TARGET_SPEEDUP}x: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}); ${ours.length} rows, ${predictionMismatches} prediction differences, max score difference ${maxScoreDiff.toExponential(1)}`,
    );
    console.log(
      JSON.stringify({
        rows: ROWS,
        node: process.version,
        sklearn: fitted.sklearn,
        numpy: fitted.numpy,
        npm_run_score_s: round(m.npm),
        compiled_score_s: round(m.compiled),
        npm_run_overhead_s: round(overhead),
        npx_score_s: round(m.npx),
        sklearn_loadtxt_score_samples_s: round(m.sklearn),
        sklearn_process_s: round(m.sklearnProcess),
        speedup_vs_sklearn: round(speedup),
        speedup_target_met: speedup >= TARGET_SPEEDUP,
        npm_overhead_target_met: overhead <= TARGET_NPM_OVERHEAD_S,
        prediction_mismatches: predictionMismatches,
        bench_seconds: round((Date.now() - started) / 1e3),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
