/**
 * Engine benchmark (`npm run bench:engine`): fit and score throughput on 100k x 2 and 100k x 40
 * standard-normal rows, and one-row `scoreOne` latency, against scikit-learn 1.2.1 on the SAME
 * data in the same run when `/usr/bin/python3` has it.
 *
 * Method: the data are drawn here with the engine's numpy-compatible RandomState and written to
 * a temporary float64 file that Python reads, so both sides fit identical matrices with
 * `random_state=0` and default parameters (and must grow identical trees: checked below by
 * digest). Each measurement is repeated and the median is reported, wall clock
 * (`process.hrtime` / `time.perf_counter`) as the headline figure and CPU time
 * (`process.cpuUsage` / `time.process_time`) alongside, since the machine may be shared.
 * The last line of output is one JSON object with every figure.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fitIsolationForest,
  RandomState,
  scoreOne,
  scoreSamples,
  type DenseMatrix,
  type FlatForest,
} from '../engine';

const PYTHON = '/usr/bin/python3';
const ROWS = 100_000;
const TS_REPEATS = 7;
const PY_REPEATS = 3;
const ONE_ROW_ROUNDS = 5;
const ONE_ROW_CALLS = 20_000;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median wall and CPU time of `repeats` calls of `fn`, after one warm-up call. */
function measure(repeats: number, fn: () => void): Timing {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    wall.push(Number(t1 - t0) / 1e6);
    cpu.push((c1.user + c1.system) / 1e3);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function standardNormal(rows: number, cols: number, seed: number): DenseMatrix {
  const rs = new RandomState(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rs.standardNormal();
  return { data, rows, cols };
}

/** Same digest as scripts/gen-sklearn-fixtures.py `trees_digest`. */
function forestDigest(f: FlatForest): string {
  const h = createHash('sha256');
  const add = (a: Int32Array | Float64Array) =>
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  for (let t = 0; t < f.nEstimators; t++) {
    const a = f.nodeOffsets[t];
    const b = f.nodeOffsets[t + 1];
    add(f.treeFeatures.subarray(t * f.maxFeatures, (t + 1) * f.maxFeatures));
    add(f.childrenLeft.subarray(a, b));
    add(f.childrenRight.subarray(a, b));
    add(f.feature.subarray(a, b));
    add(f.threshold.subarray(a, b));
    add(f.nNodeSamples.subarray(a, b));
  }
  return h.digest('hex');
}

const PY_SCRIPT = String.raw`
import hashlib, json, sys, time
try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import IsolationForest
except Exception as e:
    print(json.dumps({"available": False, "reason": repr(e)})); sys.exit(0)
path, rows, cols, repeats, scores_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
X = np.fromfile(path, dtype="<f8").reshape(rows, cols)
def timed(fn):
    fn()  # warm-up, as on the TS side
    wall, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3); cpu.append((time.process_time() - c0) * 1e3)
    return {"wallMs": float(np.median(wall)), "cpuMs": float(np.median(cpu))}
model = IsolationForest(random_state=0).fit(X)
fit = timed(lambda: IsolationForest(random_state=0).fit(X))
score = timed(lambda: model.score_samples(X))
one = X[:1]
t = []
for _ in range(30):
    t0 = time.perf_counter(); model.score_samples(one); t.append((time.perf_counter() - t0) * 1e6)
h = hashlib.sha256()
for est, feats in zip(model.estimators_, model.estimators_features_):
    tr = est.tree_
    for arr, dt in ((feats, "<i4"), (tr.children_left, "<i4"), (tr.children_right, "<i4"),
                    (tr.feature, "<i4"), (tr.threshold, "<f8"), (tr.n_node_samples, "<i4")):
        h.update(np.asarray(arr).astype(dt).tobytes())
model.score_samples(X).astype("<f8").tofile(scores_out)
print(json.dumps({"available": True, "sklearn": sklearn.__version__, "numpy": np.__version__,
                  "fit": fit, "score": score, "oneRowUs": float(np.median(t)),
                  "treesSha256": h.hexdigest()}))
`;

interface PyResult {
  available: boolean;
  reason?: string;
  sklearn?: string;
  fit?: Timing;
  score?: Timing;
  oneRowUs?: number;
  treesSha256?: string;
}

function runSklearn(dir: string, x: DenseMatrix): { py: PyResult; scores: Float64Array | null } {
  const dataPath = join(dir, `x-${x.cols}.f64`);
  const scoresPath = join(dir, `scores-${x.cols}.f64`);
  const scriptPath = join(dir, 'bench.py');
  writeFileSync(dataPath, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  writeFileSync(scriptPath, PY_SCRIPT);
  const r = spawnSync(
    PYTHON,
    [scriptPath, dataPath, String(x.rows), String(x.cols), String(PY_REPEATS), scoresPath],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.error || r.status !== 0) {
    const reason = r.error
      ? r.error.message
      : `exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`;
    return { py: { available: false, reason }, scores: null };
  }
  const py = JSON.parse(r.stdout.trim().split('\n').pop()!) as PyResult;
  if (!py.available) return { py, scores: null };
  const buf = readFileSync(scoresPath);
  const scores = new Float64Array(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
  );
  return { py, scores };
}

/** Median per-call latency of scoreOne in microseconds over several rounds of many calls. */
function oneRowLatencyUs(forest: FlatForest, x: DenseMatrix): number {
  const views = Array.from({ length: 1000 }, (_, i) =>
    x.data.subarray(i * x.cols, (i + 1) * x.cols),
  );
  for (let i = 0; i < 20_000; i++) scoreOne(forest, views[i % 1000]);
  const roundMedians: number[] = [];
  const samples = new Float64Array(ONE_ROW_CALLS);
  for (let r = 0; r < ONE_ROW_ROUNDS; r++) {
    for (let i = 0; i < ONE_ROW_CALLS; i++) {
      const row = views[i % 1000];
      const t0 = process.hrtime.bigint();
      scoreOne(forest, row);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
    roundMedians.push(median(Array.from(samples)));
  }
  return median(roundMedians);
}

function ulp(a: number, b: number): number {
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const ia = buf.getBigInt64(0);
  const ib = buf.getBigInt64(8);
  const oa = ia < 0n ? -(ia & 0x7fffffffffffffffn) : ia;
  const ob = ib < 0n ? -(ib & 0x7fffffffffffffffn) : ib;
  return Number(oa > ob ? oa - ob : ob - oa);
}

interface SizeResult {
  cols: number;
  fit: Timing;
  score: Timing;
  scoreFirstCallMs: number;
  oneRowUs: number;
  py: PyResult;
  treesIdentical: boolean | null;
  maxScoreUlp: number | null;
}

function benchSize(dir: string, cols: number): SizeResult {
  const x = standardNormal(ROWS, cols, cols);
  console.log(`\n== ${ROWS} x ${cols} (standard normal), IsolationForest(random_state=0) defaults`);
  const fit = measure(TS_REPEATS, () => fitIsolationForest(x, { randomState: 0 }));
  const model = fitIsolationForest(x, { randomState: 0 });
  const out = new Float64Array(ROWS);
  const t0 = process.hrtime.bigint();
  scoreSamples(model.forest, x, out); // first call: compiles the forest and its tables
  const scoreFirstCallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const score = measure(TS_REPEATS, () => scoreSamples(model.forest, x, out));
  const oneRowUs = oneRowLatencyUs(model.forest, x);
  console.log(
    `engine : fit ${fit.wallMs.toFixed(1)} ms (cpu ${fit.cpuMs.toFixed(1)}), score_samples ${score.wallMs.toFixed(1)} ms (cpu ${score.cpuMs.toFixed(1)}) = ${fmtRate(ROWS / (score.wallMs / 1e3))} rows/s, first call ${scoreFirstCallMs.toFixed(1)} ms, scoreOne ${oneRowUs.toFixed(2)} us`,
  );

  const { py, scores } = runSklearn(dir, x);
  let treesIdentical: boolean | null = null;
  let maxScoreUlp: number | null = null;
  if (py.available && py.fit && py.score) {
    treesIdentical = py.treesSha256 === forestDigest(model.forest);
    maxScoreUlp = 0;
    for (let i = 0; i < ROWS; i++) maxScoreUlp = Math.max(maxScoreUlp, ulp(out[i], scores![i]));
    console.log(
      `sklearn: fit ${py.fit.wallMs.toFixed(1)} ms (cpu ${py.fit.cpuMs.toFixed(1)}), score_samples ${py.score.wallMs.toFixed(1)} ms (cpu ${py.score.cpuMs.toFixed(1)}) = ${fmtRate(ROWS / (py.score.wallMs / 1e3))} rows/s, one row ${py.oneRowUs!.toFixed(0)} us`,
    );
    console.log(
      `ratio  : fit ${(py.fit.wallMs / fit.wallMs).toFixed(1)}x (cpu ${(py.fit.cpuMs / fit.cpuMs).toFixed(1)}x), score ${(py.score.wallMs / score.wallMs).toFixed(1)}x (cpu ${(py.score.cpuMs / score.cpuMs).toFixed(1)}x); same trees: ${treesIdentical}; max score difference ${maxScoreUlp} ulp`,
    );
  } else {
    console.log(`sklearn: not available (${py.reason ?? 'unknown reason'}); no ratios`);
  }
  return { cols, fit, score, scoreFirstCallMs, oneRowUs, py, treesIdentical, maxScoreUlp };
}

function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(0)}k`;
}

function round(v: number | null, digits = 3): number | null {
  return v === null ? null : Number(v.toPrecision(digits + 2));
}

function main(): void {
  const started = Date.now();
  console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  try {
    const [d2, d40] = [benchSize(dir, 2), benchSize(dir, 40)];
    const figures = (r: SizeResult, suffix: string) => {
      const sk = r.py.available && r.py.fit && r.py.score ? r.py : null;
      const rate = ROWS / (r.score.wallMs / 1e3);
      const skRate = sk ? ROWS / (sk.score!.wallMs / 1e3) : null;
      return {
        [`score_rows_per_s${suffix}`]: round(rate),
        [`sklearn_score_rows_per_s${suffix}`]: round(skRate),
        [`score_speedup${suffix}`]: skRate ? round(rate / skRate) : null,
        [`score_speedup_cpu${suffix}`]: sk ? round(sk.score!.cpuMs / r.score.cpuMs) : null,
        [`fit_seconds${suffix}`]: round(r.fit.wallMs / 1e3),
        [`sklearn_fit_seconds${suffix}`]: sk ? round(sk.fit!.wallMs / 1e3) : null,
        [`fit_speedup${suffix}`]: sk ? round(sk.fit!.wallMs / r.fit.wallMs) : null,
        [`fit_speedup_cpu${suffix}`]: sk ? round(sk.fit!.cpuMs / r.fit.cpuMs) : null,
        [`score_first_call_ms${suffix}`]: round(r.scoreFirstCallMs),
        [`one_row_us${suffix}`]: round(r.oneRowUs),
        [`sklearn_one_row_us${suffix}`]: sk ? round(sk.oneRowUs!) : null,
        [`trees_identical_to_sklearn${suffix}`]: r.treesIdentical,
        [`max_score_ulp_vs_sklearn${suffix}`]: r.maxScoreUlp,
      };
    };
    const result = {
      rows: ROWS,
      node: process.version,
      sklearn: d2.py.sklearn ?? null,
      ...figures(d2, ''),
      ...figures(d40, '_d40'),
      bench_seconds: round((Date.now() - started) / 1e3),
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
