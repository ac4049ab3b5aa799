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
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importSklearnModel } from '../sklearn';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'sklearn');
const FILES = ['seed_cpu_mem.p4.pkl', 'seed_cpu_mem.joblib.pkl'];
const WARMUP = 30;
const REPEATS = 200;
const TARGET_MS = 50;
const PYTHON = '/usr/bin/python3';

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
): Record<
  string,
  { pickle_loads: number | null; joblib_load: number; sklearn: string; joblib: string }
> | null {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(
    PYTHON,
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

main();
