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
 * - `node bin/ml-anomaly-api.cjs score`: the bin without npm (its build freshness check and
 *   dispatch are the part of that difference that is ours; the rest is npm starting);
 * - `npx ml-anomaly-api score` with the same flags (for information: npx resolves the bin first);
 * - scikit-learn: a python process that loads the pickle, then times `np.loadtxt` +
 *   `score_samples` with `time.perf_counter` (the baseline: interpreter start, imports and
 *   unpickling are NOT counted, which favours scikit-learn), and its own wall time from spawn to
 *   exit beside it.
 * Medians of the rounds, wall clock as the headline and CPU time (user + system of the process
 * tree, from `/usr/bin/time`; `time.process_time` inside python) beside it, which a loaded
 * machine disturbs less; the predictions of both sides are compared row by row. The last line
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
const ROUNDS = 7;
/** The targets: end-to-end speed-up over scikit-learn, and what npm may add. */
const TARGET_SPEEDUP = 3;
const TARGET_NPM_OVERHEAD_S = 0.5;
const ROOT = join(__dirname, '..', '..');
const BIN = 'bin/ml-anomaly-api.cjs';

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
c0, t0 = time.process_time(), time.perf_counter()
X = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
scores = clf.score_samples(X)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
if len(sys.argv) > 3:
    scores.astype("<f8").tofile(sys.argv[3])
print(json.dumps({"wall": wall, "cpu": cpu, "rows": int(X.shape[0])}))
`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Wall-clock and CPU seconds (user + system, the process and its children) of one run. */
interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Runs a command to completion under `/usr/bin/time` (for the CPU time of the whole process
 * tree, npm's children included); returns its wall and CPU seconds and its output.
 */
function timedRun(cmd: string, args: string[], timeFile: string): Timing & { stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ');
  return { wall, cpu: Number(user) + Number(system), stdout: r.stdout };
}

function medianTiming(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
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

    const fitted = JSON.parse(
      timedRun(PYTHON, [join(dir, 'fit.py'), train, pickle], join(dir, 'time.txt')).stdout,
    ) as {
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
    timedRun(
      'npm',
      ['run', '-s', 'import', '--', '--model', pickle, '--out', model],
      join(dir, 'time.txt'),
    );
    const flags = ['--model', model, '--data', data, '--out', out];

    const time = join(dir, 'time.txt');
    const runs: Record<
      'npm' | 'bin' | 'compiled' | 'npx' | 'sklearn' | 'sklearnProcess',
      Timing[]
    > = { npm: [], bin: [], compiled: [], npx: [], sklearn: [], sklearnProcess: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.npm.push(timedRun('npm', ['run', '-s', 'score', '--', ...flags], time));
      runs.bin.push(timedRun(process.execPath, [BIN, 'score', ...flags], time));
      runs.compiled.push(timedRun(process.execPath, ['dist/cli/score.js', ...flags], time));
      runs.npx.push(timedRun('npx', ['ml-anomaly-api', 'score', ...flags], time));
      const sk = timedRun(PYTHON, [join(dir, 'score.py'), pickle, data], time);
      runs.sklearn.push(JSON.parse(sk.stdout) as Timing);
      runs.sklearnProcess.push(sk);
    }

    // Same trees, same predictions: compare the last output with scikit-learn's scores.
    timedRun(PYTHON, [join(dir, 'score.py'), pickle, data, skScores], time);
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
      npm: medianTiming(runs.npm),
      bin: medianTiming(runs.bin),
      compiled: medianTiming(runs.compiled),
      npx: medianTiming(runs.npx),
      sklearn: medianTiming(runs.sklearn),
      sklearnProcess: medianTiming(runs.sklearnProcess),
    };
    const speedup = m.sklearn.wall / m.npm.wall;
    const speedupCpu = m.sklearn.cpu / m.npm.cpu;
    const overhead = m.npm.wall - m.compiled.wall;
    const t = (x: Timing) => `${x.wall.toFixed(2)} s (cpu ${x.cpu.toFixed(2)} s)`;
    const walls = (xs: Timing[]) => xs.map((x) => x.wall.toFixed(2)).join(', ');
    console.log(`npm run score               ${t(m.npm)}; rounds ${walls(runs.npm)}`);
    console.log(`node dist/cli/score.js      ${t(m.compiled)}; rounds ${walls(runs.compiled)}`);
    console.log(`node bin/ml-anomaly-api.cjs ${t(m.bin)}; rounds ${walls(runs.bin)}`);
    console.log(`npx ml-anomaly-api score    ${t(m.npx)}`);
    console.log(
      `scikit-learn ${fitted.sklearn}: np.loadtxt + score_samples ${t(m.sklearn)}; rounds ${walls(runs.sklearn)}; its whole python process ${t(m.sklearnProcess)}`,
    );
    console.log(
      `npm run adds ${overhead.toFixed(2)} s (cpu ${(m.npm.cpu - m.compiled.cpu).toFixed(2)} s) to the compiled CLI (target <= ${TARGET_NPM_OVERHEAD_S} s), of which the bin's freshness check and dispatch ${(m.bin.wall - m.compiled.wall).toFixed(2)} s (cpu ${(m.bin.cpu - m.compiled.cpu).toFixed(2)} s)`,
    );
    console.log(
      `ratio: npm run score is ${speedup.toFixed(1)}x faster than scikit-learn (cpu ${speedupCpu.toFixed(1)}x; target >= ${TARGET_SPEEDUP}x: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}); ${ours.length} rows, ${predictionMismatches} prediction differences, max score difference ${maxScoreDiff.toExponential(1)}`,
    );
    const r4 = (x: Timing) => ({ wall_s: round(x.wall), cpu_s: round(x.cpu) });
    console.log(
      JSON.stringify({
        rows: ROWS,
        rounds: ROUNDS,
        node: process.version,
        sklearn: fitted.sklearn,
        numpy: fitted.numpy,
        npm_run_score: r4(m.npm),
        compiled_score: r4(m.compiled),
        bin_score: r4(m.bin),
        npx_score: r4(m.npx),
        sklearn_loadtxt_score_samples: r4(m.sklearn),
        sklearn_process: r4(m.sklearnProcess),
        npm_run_overhead_s: round(overhead),
        npm_run_overhead_cpu_s: round(m.npm.cpu - m.compiled.cpu),
        bin_overhead_s: round(m.bin.wall - m.compiled.wall),
        bin_overhead_cpu_s: round(m.bin.cpu - m.compiled.cpu),
        speedup_vs_sklearn: round(speedup),
        speedup_vs_sklearn_cpu: round(speedupCpu),
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
