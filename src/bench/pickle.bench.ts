/**
 * `npm run bench:pickle`: time to load and verify the 100-tree seed-style scikit-learn model
 * (pickle protocol 4 and joblib) with the safe TypeScript reader, beside Python's own loaders
 * timed in the same run by /usr/bin/python3 (import time excluded). Medians of many repeats after
 * a warm-up; prints a table, then one JSON line for machines.
 *
 * Pairs compared like for like:
 * - from bytes in memory: `importSklearnModel(bytes)` vs `pickle.loads(bytes)`;
 * - from the file path: `readFileSync` + `importSklearnModel` vs `joblib.load(path)`.
 * Python's loaders do no verification; the TypeScript side includes every check of the import.
 *
 * Then the same for a current notebook's file: a 100-tree model written by scikit-learn 1.9.1
 * with numpy 2.4 and joblib 1.6 (`joblib.dump`, uncompressed and compress=3), made at bench time
 * in that release's venv (scripts/sklearn-releases/gen.sh creates it) and timed against
 * `joblib.load` in the same venv, in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSklearnModel } from '../sklearn';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'sklearn');
const FILES = ['seed_cpu_mem.p4.pkl', 'seed_cpu_mem.joblib.pkl'];
const WARMUP = 30;
const REPEATS = 200;
const TARGET_MS = 50;
const PYTHON = '/usr/bin/python3';
/** scikit-learn 1.9.1 / numpy 2.4 / joblib 1.6, from scripts/sklearn-releases/gen.sh. */
const RELEASE_PYTHON = join(
  ROOT,
  'scripts',
  'sklearn-releases',
  '.venvs',
  'sklearn-1.9.1',
  'bin',
  'python',
);

/** Writes the 1.9.1 model files (100 trees, max_samples 256, 2 features) into `dir`. */
const RELEASE_MODEL_SCRIPT = `
import sys, joblib, numpy as np
from sklearn.ensemble import IsolationForest
X = np.random.RandomState(0).randn(1000, 2)
m = IsolationForest(n_estimators=100, random_state=0).fit(X)
joblib.dump(m, sys.argv[1] + '/sklearn-1.9.1.joblib')
joblib.dump(m, sys.argv[1] + '/sklearn-1.9.1.z3.joblib', compress=3)
`;

interface Row {
  readonly file: string;
  readonly bytes: number;
  readonly tsFromBytesMs: number;
  readonly tsFromFileMs: number;
  readonly pyPickleLoadsMs: number | null;
  readonly pyJoblibLoadMs: number | null;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeNode(run: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

const PYTHON_SCRIPT = `
import json, pickle, statistics, sys, time
import joblib, sklearn.ensemble  # imported before timing
paths, warmup, repeats = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def median_ms(fn):
    for _ in range(warmup): fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)
out = {}
for p in paths:
    data = open(p, 'rb').read()
    loads = None
    try:
        pickle.loads(data)
        loads = median_ms(lambda: pickle.loads(data))
    except Exception:
        pass  # joblib files are not plain pickles
    out[p] = dict(pickle_loads=loads, joblib_load=median_ms(lambda: joblib.load(p)),
                  sklearn=sklearn.__version__, joblib=joblib.__version__)
print(json.dumps(out))
`;

function timePython(
  paths: string[],
  python = PYTHON,
): Record<
  string,
  { pickle_loads: number | null; joblib_load: number; sklearn: string; joblib: string }
> | null {
  if (!existsSync(python)) return null;
  const r = spawnSync(
    python,
    ['-c', PYTHON_SCRIPT, JSON.stringify(paths), String(WARMUP), String(REPEATS)],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) {
    process.stderr.write(`python baseline unavailable: ${r.stderr || r.error?.message}\n`);
    return null;
  }
  return JSON.parse(r.stdout) as ReturnType<typeof timePython>;
}

function fmt(ms: number | null): string {
  return ms === null ? '     n/a' : `${ms.toFixed(2).padStart(8)}`;
}

function main(): void {
  const paths = FILES.map((f) => join(FIXTURES, f));
  const rows: Row[] = [];
  for (const path of paths) {
    const bytes = readFileSync(path);
    const artifact = importSklearnModel(bytes);
    if (artifact.forest.nEstimators !== 100) throw new Error(`${path} is not the 100-tree model`);
    rows.push({
      file: path.slice(FIXTURES.length + 1),
      bytes: bytes.length,
      tsFromBytesMs: timeNode(() => importSklearnModel(bytes)),
      tsFromFileMs: timeNode(() => importSklearnModel(readFileSync(path))),
      pyPickleLoadsMs: null,
      pyJoblibLoadMs: null,
    });
  }
  const python = timePython(paths);
  const results = rows.map((row, i) => {
    const py = python?.[paths[i]];
    return {
      ...row,
      pyPickleLoadsMs: py?.pickle_loads ?? null,
      pyJoblibLoadMs: py?.joblib_load ?? null,
    };
  });

  const versions = python ? Object.values(python)[0] : null;
  console.log(
    `Load + verify the 100-tree seed model; median of ${REPEATS} after ${WARMUP} warm-up runs ` +
      `(Node ${process.version}${versions ? `, Python scikit-learn ${versions.sklearn}, joblib ${versions.joblib}` : ''})`,
  );
  console.log(
    'file                       bytes   TS bytes  py loads  ratio |  TS file  joblib.load  ratio',
  );
  for (const r of results) {
    const ratio = (a: number, b: number | null): string =>
      b === null ? '   n/a' : `${(a / b).toFixed(2).padStart(6)}`;
    console.log(
      `${r.file.padEnd(24)} ${String(r.bytes).padStart(7)} ${fmt(r.tsFromBytesMs)}  ${fmt(r.pyPickleLoadsMs)} ${ratio(r.tsFromBytesMs, r.pyPickleLoadsMs)} | ${fmt(r.tsFromFileMs)}     ${fmt(r.pyJoblibLoadMs)} ${ratio(r.tsFromFileMs, r.pyJoblibLoadMs)}`,
    );
  }
  const worst = Math.max(...results.map((r) => r.tsFromFileMs));
  console.log(
    `target: load + verify <= ${TARGET_MS} ms -> ${worst <= TARGET_MS ? 'met' : 'MISSED'} (worst median ${worst.toFixed(2)} ms)`,
  );
  console.log(
    JSON.stringify({
      bench: 'pickle',
      repeats: REPEATS,
      targetMs: TARGET_MS,
      targetMet: worst <= TARGET_MS,
      results: results.map((r) => ({
        ...r,
        ratioToJoblibLoad: r.pyJoblibLoadMs === null ? null : r.tsFromFileMs / r.pyJoblibLoadMs,
      })),
    }),
  );
}

/** The scikit-learn 1.9.1 / numpy 2 joblib files beside joblib.load in that release's venv. */
function mainRelease(): void {
  if (!existsSync(RELEASE_PYTHON)) {
    console.log(
      `\nscikit-learn 1.9.1 joblib: skipped (no venv at ${RELEASE_PYTHON}; run scripts/sklearn-releases/gen.sh 1.9.1)`,
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-pickle-'));
  try {
    const made = spawnSync(RELEASE_PYTHON, ['-c', RELEASE_MODEL_SCRIPT, dir], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (made.status !== 0) throw new Error(`could not write the 1.9.1 model: ${made.stderr}`);
    const paths = ['sklearn-1.9.1.joblib', 'sklearn-1.9.1.z3.joblib'].map((f) => join(dir, f));
    const rows = paths.map((path) => {
      const bytes = readFileSync(path);
      const artifact = importSklearnModel(bytes);
      if (artifact.source.sklearnVersion !== '1.9.1' || artifact.forest.nEstimators !== 100) {
        throw new Error(`${path} is not the 100-tree 1.9.1 model`);
      }
      return {
        file: path.slice(dir.length + 1),
        bytes: bytes.length,
        tsFromFileMs: timeNode(() => importSklearnModel(readFileSync(path))),
      };
    });
    const python = timePython(paths, RELEASE_PYTHON);
    console.log(
      `\nLoad + verify a 100-tree scikit-learn 1.9.1 / numpy 2 joblib file; median of ${REPEATS} after ${WARMUP} warm-up runs ` +
        `(joblib ${python ? Object.values(python)[0].joblib : 'n/a'} in the 1.9.1 venv)`,
    );
    console.log('file                       bytes    TS file  joblib.load  ratio');
    const results = rows.map((r, i) => {
      const py = python?.[paths[i]]?.joblib_load ?? null;
      const ratio = py === null ? null : r.tsFromFileMs / py;
      console.log(
        `${r.file.padEnd(24)} ${String(r.bytes).padStart(7)} ${fmt(r.tsFromFileMs)}     ${fmt(py)} ${ratio === null ? '   n/a' : ratio.toFixed(2).padStart(6)}`,
      );
      return { ...r, pyJoblibLoadMs: py, ratioToJoblibLoad: ratio };
    });
    console.log(JSON.stringify({ bench: 'pickle-sklearn-1.9.1', repeats: REPEATS, results }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
mainRelease();
