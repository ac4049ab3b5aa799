/**
 * Engine benchmark (`npm run bench:engine`): fit and score throughput on 100k x 2 and 100k x 40
 * standard-normal rows, and one-row `scoreOne` latency, against scikit-learn 1.2.1 on the SAME
 * data in the same run when `/usr/bin/python3` has it.
 *
 * Method: the data are drawn here with the engine's numpy-compatible RandomState and written to
 * a temporary float64 file that a long-lived Python process reads, so both sides fit identical
 * matrices with `random_state=0` and default parameters (and must grow identical trees: checked
 * by digest, with the largest score difference in ulp). Measurements alternate between the
 * engine and scikit-learn, round by round, so that the load of a shared machine weighs on both
 * alike; each side reports the median of its rounds, wall clock (`process.hrtime` /
 * `time.perf_counter`) as the headline and CPU time (`process.cpuUsage` / `time.process_time`)
 * alongside. The last line of output is one JSON object with every figure.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
/** Alternating rounds (each: engine fit x3, sklearn fit, engine score, sklearn score). */
const ROUNDS = 5;
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

function medianTiming(ts: Timing[]): Timing {
  return { wallMs: median(ts.map((t) => t.wallMs)), cpuMs: median(ts.map((t) => t.cpuMs)) };
}

function timed(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  return { wallMs: Number(t1 - t0) / 1e6, cpuMs: (c1.user + c1.system) / 1e3 };
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

/**
 * The scikit-learn side: fits once and warms up at start, then answers one command per stdin
 * line with one JSON line: `fit` and `score` (one timed call each), `one` (median of 30
 * one-row `score_samples` calls, in µs), `digest` (tree digest; writes its scores to a file).
 */
const PY_SCRIPT = String.raw`
import hashlib, json, sys, time
try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import IsolationForest
except Exception as e:
    print(json.dumps({"available": False, "reason": repr(e)}), flush=True); sys.exit(0)
path, rows, cols, scores_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
X = np.fromfile(path, dtype="<f8").reshape(rows, cols)
model = IsolationForest(random_state=0).fit(X)
model.score_samples(X)
print(json.dumps({"available": True, "sklearn": sklearn.__version__}), flush=True)
def timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return {"wallMs": (time.perf_counter() - t0) * 1e3, "cpuMs": (time.process_time() - c0) * 1e3}
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "fit":
        out = timed(lambda: IsolationForest(random_state=0).fit(X))
    elif cmd == "score":
        out = timed(lambda: model.score_samples(X))
    elif cmd == "one":
        one, t = X[:1], []
        for _ in range(30):
            t0 = time.perf_counter(); model.score_samples(one); t.append((time.perf_counter() - t0) * 1e6)
        out = {"us": float(np.median(t))}
    elif cmd == "digest":
        h = hashlib.sha256()
        for est, feats in zip(model.estimators_, model.estimators_features_):
            tr = est.tree_
            for arr, dt in ((feats, "<i4"), (tr.children_left, "<i4"), (tr.children_right, "<i4"),
                            (tr.feature, "<i4"), (tr.threshold, "<f8"), (tr.n_node_samples, "<i4")):
                h.update(np.asarray(arr).astype(dt).tobytes())
        model.score_samples(X).astype("<f8").tofile(scores_out)
        out = {"treesSha256": h.hexdigest()}
    else:
        break
    print(json.dumps(out), flush=True)
`;

/** A running Python process answering one JSON line per command. */
class PythonWorker {
  private buffered = '';
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | null) => void)[] = [];
  private closed = false;
  stderr = '';

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const close = () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    };
    child.on('close', close);
    child.on('error', (e) => {
      this.stderr += e.message;
      close();
    });
  }

  next<T>(): Promise<T> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(JSON.parse(ready) as T);
    if (this.closed) return Promise.reject(new Error(this.lastError()));
    return new Promise((resolve, reject) =>
      this.waiters.push((line) =>
        line === null ? reject(new Error(this.lastError())) : resolve(JSON.parse(line) as T),
      ),
    );
  }

  ask<T>(command: 'fit' | 'score' | 'one' | 'digest'): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    return this.next<T>();
  }

  stop(): void {
    if (!this.closed) this.child.stdin.end('quit\n');
  }

  private lastError(): string {
    return `${PYTHON} exited: ${this.stderr.trim().split('\n').pop() ?? ''}`;
  }
}

/** Starts scikit-learn on `x`, or explains why it cannot. */
async function startSklearn(
  dir: string,
  x: DenseMatrix,
): Promise<{ worker: PythonWorker; version: string; scoresPath: string } | { reason: string }> {
  const dataPath = join(dir, `x-${x.cols}.f64`);
  const scoresPath = join(dir, `scores-${x.cols}.f64`);
  const scriptPath = join(dir, 'bench.py');
  writeFileSync(dataPath, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  writeFileSync(scriptPath, PY_SCRIPT);
  const child = spawn(PYTHON, [scriptPath, dataPath, String(x.rows), String(x.cols), scoresPath]);
  const worker = new PythonWorker(child);
  try {
    const hello = await worker.next<{ available: boolean; reason?: string; sklearn?: string }>();
    if (!hello.available) return { reason: hello.reason ?? 'scikit-learn is not importable' };
    return { worker, version: hello.sklearn ?? 'unknown', scoresPath };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

/** Median per-call latency of scoreOne in microseconds: median of round medians. */
function oneRowLatencyUs(forest: FlatForest, x: DenseMatrix): number {
  const views = Array.from({ length: 1000 }, (_, i) =>
    x.data.subarray(i * x.cols, (i + 1) * x.cols),
  );
  for (let i = 0; i < 20_000; i++) scoreOne(forest, views[i % 1000]);
  const roundMedians: number[] = [];
  const samples: number[] = new Array<number>(ONE_ROW_CALLS);
  for (let r = 0; r < ONE_ROW_ROUNDS; r++) {
    for (let i = 0; i < ONE_ROW_CALLS; i++) {
      const row = views[i % 1000];
      const t0 = process.hrtime.bigint();
      scoreOne(forest, row);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
    roundMedians.push(median(samples));
  }
  return median(roundMedians);
}

function ulp(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  const order = (v: bigint) => (v < 0n ? -(v & 0x7fffffffffffffffn) : v);
  const d = order(view.getBigInt64(0)) - order(view.getBigInt64(8));
  return Number(d < 0n ? -d : d);
}

interface SideResult {
  fit: Timing;
  score: Timing;
  oneRowUs: number;
}

interface SizeResult {
  cols: number;
  engine: SideResult & { scoreFirstCallMs: number };
  sklearn: SideResult | null;
  sklearnVersion: string | null;
  skippedBecause: string | null;
  treesIdentical: boolean | null;
  maxScoreUlp: number | null;
}

async function benchSize(dir: string, cols: number): Promise<SizeResult> {
  const x = standardNormal(ROWS, cols, cols);
  console.log(`\n== ${ROWS} x ${cols} (standard normal), IsolationForest(random_state=0) defaults`);
  const sk = await startSklearn(dir, x);
  const worker = 'worker' in sk ? sk.worker : null;
  try {
    fitIsolationForest(x, { randomState: 0 }); // warm-up
    const model = fitIsolationForest(x, { randomState: 0 });
    const out = new Float64Array(ROWS);
    // The first call on a new forest also compiles it and builds its decision tables.
    const first = timed(() => scoreSamples(model.forest, x, out));
    scoreSamples(model.forest, x, out);

    const engineFit: Timing[] = [];
    const engineScore: Timing[] = [];
    const skFit: Timing[] = [];
    const skScore: Timing[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < 3; k++)
        engineFit.push(timed(() => fitIsolationForest(x, { randomState: 0 })));
      if (worker) skFit.push(await worker.ask<Timing>('fit'));
      engineScore.push(timed(() => scoreSamples(model.forest, x, out)));
      if (worker) skScore.push(await worker.ask<Timing>('score'));
    }
    const engine = {
      fit: medianTiming(engineFit),
      score: medianTiming(engineScore),
      oneRowUs: oneRowLatencyUs(model.forest, x),
      scoreFirstCallMs: first.wallMs,
    };
    console.log(
      `engine : fit ${engine.fit.wallMs.toFixed(1)} ms (cpu ${engine.fit.cpuMs.toFixed(1)}), score_samples ${engine.score.wallMs.toFixed(1)} ms (cpu ${engine.score.cpuMs.toFixed(1)}) = ${rate(engine.score)} rows/s, first call ${first.wallMs.toFixed(1)} ms, scoreOne ${engine.oneRowUs.toFixed(2)} us`,
    );
    if (!worker || !('worker' in sk)) {
      const reason = 'reason' in sk ? sk.reason : 'unknown';
      console.log(`sklearn: not available (${reason}); no comparison`);
      return {
        cols,
        engine,
        sklearn: null,
        sklearnVersion: null,
        skippedBecause: reason,
        treesIdentical: null,
        maxScoreUlp: null,
      };
    }
    const sklearn = {
      fit: medianTiming(skFit),
      score: medianTiming(skScore),
      oneRowUs: (await worker.ask<{ us: number }>('one')).us,
    };
    const { treesSha256 } = await worker.ask<{ treesSha256: string }>('digest');
    const buf = readFileSync(sk.scoresPath);
    let maxScoreUlp = 0;
    for (let i = 0; i < ROWS; i++)
      maxScoreUlp = Math.max(maxScoreUlp, ulp(out[i], buf.readDoubleLE(i * 8)));
    const treesIdentical = treesSha256 === forestDigest(model.forest);
    console.log(
      `sklearn: fit ${sklearn.fit.wallMs.toFixed(1)} ms (cpu ${sklearn.fit.cpuMs.toFixed(1)}), score_samples ${sklearn.score.wallMs.toFixed(1)} ms (cpu ${sklearn.score.cpuMs.toFixed(1)}) = ${rate(sklearn.score)} rows/s, one row ${sklearn.oneRowUs.toFixed(0)} us`,
    );
    console.log(
      `ratio  : fit ${(sklearn.fit.wallMs / engine.fit.wallMs).toFixed(1)}x (cpu ${(sklearn.fit.cpuMs / engine.fit.cpuMs).toFixed(1)}x), score ${(sklearn.score.wallMs / engine.score.wallMs).toFixed(1)}x (cpu ${(sklearn.score.cpuMs / engine.score.cpuMs).toFixed(1)}x); same trees: ${treesIdentical}; max score difference ${maxScoreUlp} ulp`,
    );
    return {
      cols,
      engine,
      sklearn,
      sklearnVersion: sk.version,
      skippedBecause: null,
      treesIdentical,
      maxScoreUlp,
    };
  } finally {
    worker?.stop();
  }
}

function rate(t: Timing): string {
  const r = ROWS / (t.wallMs / 1e3);
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(0)}k`;
}

function round(v: number | null): number | null {
  return v === null ? null : Number(v.toPrecision(5));
}

function figures(r: SizeResult, suffix: string): Record<string, number | boolean | null> {
  const e = r.engine;
  const s = r.sklearn;
  const rows = (t: Timing) => ROWS / (t.wallMs / 1e3);
  return {
    [`score_rows_per_s${suffix}`]: round(rows(e.score)),
    [`sklearn_score_rows_per_s${suffix}`]: s ? round(rows(s.score)) : null,
    [`score_speedup${suffix}`]: s ? round(s.score.wallMs / e.score.wallMs) : null,
    [`score_speedup_cpu${suffix}`]: s ? round(s.score.cpuMs / e.score.cpuMs) : null,
    [`fit_seconds${suffix}`]: round(e.fit.wallMs / 1e3),
    [`sklearn_fit_seconds${suffix}`]: s ? round(s.fit.wallMs / 1e3) : null,
    [`fit_speedup${suffix}`]: s ? round(s.fit.wallMs / e.fit.wallMs) : null,
    [`fit_speedup_cpu${suffix}`]: s ? round(s.fit.cpuMs / e.fit.cpuMs) : null,
    [`score_first_call_ms${suffix}`]: round(e.scoreFirstCallMs),
    [`one_row_us${suffix}`]: round(e.oneRowUs),
    [`sklearn_one_row_us${suffix}`]: s ? round(s.oneRowUs) : null,
    [`trees_identical_to_sklearn${suffix}`]: r.treesIdentical,
    [`max_score_ulp_vs_sklearn${suffix}`]: r.maxScoreUlp,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `node ${process.version}, ${process.platform} ${process.arch}; ${ROUNDS} alternating rounds`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  try {
    const d2 = await benchSize(dir, 2);
    const d40 = await benchSize(dir, 40);
    const result = {
      rows: ROWS,
      node: process.version,
      sklearn: d2.sklearnVersion,
      sklearn_unavailable_reason: d2.skippedBecause,
      ...figures(d2, ''),
      ...figures(d40, '_d40'),
      bench_seconds: round((Date.now() - started) / 1e3),
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
