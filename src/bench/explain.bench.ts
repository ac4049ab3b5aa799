/**
 * `npm run bench:explain`: explanation throughput beside shap's, and the cost of `explain` over
 * HTTP, all in one run.
 *
 * 1. Engine, in this process: rows explained per second by `explainSamples` on the default model
 *    (100 trees, 2 features) and on a 40-feature model (100 trees, native fit of deterministic
 *    data), over distinct float32 rows. "cold" is the first pass on a freshly loaded forest (every
 *    tree's cell memo empty: what a new model pays), "warm" a second pass over the same rows. One
 *    row: the median of single-row calls over distinct rows, cold and warm. Also the memory of
 *    the forest's TreeSHAP leaf tables and the time of a fresh forest's first one-row
 *    explanation (conversion and tables, which the cold pass does not count).
 * 2. shap, in the same run, when the pinned environment exists (`.cache/shap-venv`, made by
 *    `python3 scripts/shap/shap_env.py` or the fixture script): scikit-learn fits the same data
 *    with the same parameters (the same trees) and `TreeExplainer(model).shap_values` explains the
 *    same rows (`scripts/shap/bench-shap.py`). The largest |difference| of the values is printed
 *    as a check.
 * 3. HTTP: the real service (`dist/main.js`, default model) under autocannon, 16 connections,
 *    `POST /predict` cycling over the same distinct rows, with and without `"explain": true`,
 *    interleaved.
 *
 * Medians of `--rounds` (default 5) rounds, each timing the engine and then shap (a fresh Python
 * process per round, fitting excluded), so that both see the same machine load; ratios are the
 * medians of per-round ratios. The machine is shared, so only same-run ratios mean much. The
 * last line is JSON.
 *
 * Usage: node dist/bench/explain.bench.js [--rounds 5] [--duration 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { decodeArtifact } from '../artifact';
import { syntheticServerData } from '../cli/synthetic-server-data';
import {
  compileShapForest,
  explainSamples,
  fitIsolationForest,
  leafTables,
  type DenseMatrix,
  type FlatForest,
  type IsolationForestOptions,
} from '../engine';
import {
  benchArg as arg,
  median,
  startService as startServiceProcess,
  BENCH_HOST as HOST,
  postLoad,
} from './support';
import { mulberry32 } from '../cli/mulberry32';

const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
const SHAP_PYTHON = '.cache/shap-venv/bin/python';
const CONNECTIONS = 16;

/** The targets. */
const TARGETS = { vsShap: 1.0, oneRowMs: 1.0, httpRatio: 0.5 };

/** `rows` x `cols` float32 values: mostly near the data, some far out. */
function rowsFor(seed: number, rows: number, cols: number, spread: number): DenseMatrix {
  const next = mulberry32(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const far = next() < 0.1 ? 3 : 1;
    data[i] = Math.fround((next() * 2 - 1) * spread * far);
  }
  return { data, rows, cols };
}

function toRows(x: DenseMatrix): number[][] {
  return Array.from({ length: x.rows }, (_, i) =>
    Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)),
  );
}

interface Case {
  readonly name: string;
  readonly forest: FlatForest;
  readonly train: DenseMatrix;
  readonly options: IsolationForestOptions;
  readonly rows: DenseMatrix;
}

interface EngineResult {
  /** First explanation of a freshly loaded forest: conversion and leaf tables, one row. */
  readonly prepareMs: number;
  /** Bytes of the forest's TreeSHAP leaf tables, and how many trees have them. */
  readonly tableBytes: number;
  readonly tabledTrees: number;
  readonly coldRowsPerSecond: number;
  readonly warmRowsPerSecond: number;
  readonly oneRowColdMs: number;
  readonly oneRowWarmMs: number;
  readonly shapValues: ArrayLike<number>;
}

/** A copy of the forest object: explanation caches are per object, so it starts cold. */
function fresh(forest: FlatForest): FlatForest {
  return { ...forest };
}

function timeEngine(c: Case, rounds: number): EngineResult {
  const cold: number[] = [];
  const warm: number[] = [];
  const oneCold: number[] = [];
  const oneWarm: number[] = [];
  const prepare: number[] = [];
  let shapValues: ArrayLike<number> = [];
  const single = Math.min(c.rows.rows, 300);
  const F = c.rows.cols;
  // Converts the forest for explaining outside the timings (a loaded model has done it once),
  // touching one far-away cell per tree only.
  const compile = (forest: FlatForest) =>
    explainSamples(forest, { data: new Float64Array(F).fill(1e30), rows: 1, cols: F });
  for (let r = 0; r < rounds; r++) {
    const forest = fresh(c.forest);
    const passForest = fresh(c.forest);
    let t = performance.now();
    compile(forest);
    prepare.push(performance.now() - t);
    compile(passForest);
    t = performance.now();
    shapValues = explainSamples(passForest, c.rows).shapValues;
    cold.push(c.rows.rows / ((performance.now() - t) / 1000));
    t = performance.now();
    explainSamples(passForest, c.rows);
    warm.push(c.rows.rows / ((performance.now() - t) / 1000));
    // One row at a time: on a cold memo, then again warm.
    const coldSingles: number[] = [];
    const warmSingles: number[] = [];
    for (const sink of [coldSingles, warmSingles]) {
      for (let i = 0; i < single; i++) {
        const x = { data: c.rows.data.subarray(i * F, (i + 1) * F), rows: 1, cols: F };
        const s = performance.now();
        explainSamples(forest, x);
        sink.push(performance.now() - s);
      }
    }
    oneCold.push(median(coldSingles));
    oneWarm.push(median(warmSingles));
  }
  const tables = leafTables(compileShapForest(c.forest));
  return {
    prepareMs: median(prepare),
    tableBytes: tables.bytes,
    tabledTrees: tables.tabled.reduce((a, b) => a + b, 0),
    coldRowsPerSecond: median(cold),
    warmRowsPerSecond: median(warm),
    oneRowColdMs: median(oneCold),
    oneRowWarmMs: median(oneWarm),
    shapValues,
  };
}

interface ShapResult {
  readonly rowsPerSecond: number;
  readonly oneRowMs: number;
  readonly maxAbsDiff: number;
}

/** shap on the same models and rows, or null when the pinned environment is missing. */
function timeShap(cases: readonly Case[], results: readonly EngineResult[], rounds: number) {
  if (!existsSync(SHAP_PYTHON)) return null;
  const params = (o: IsolationForestOptions) => ({
    n_estimators: o.nEstimators,
    max_samples: 'auto',
    max_features: 1.0,
    contamination: o.contamination,
    bootstrap: o.bootstrap,
    random_state: o.randomState,
  });
  const spec = {
    cases: cases.map((c) => ({
      name: c.name,
      X_train: toRows(c.train),
      params: params(c.options),
      rows: toRows(c.rows),
      rounds,
      single: Math.min(c.rows.rows, 200),
    })),
  };
  const run = spawnSync(SHAP_PYTHON, ['scripts/shap/bench-shap.py'], {
    input: JSON.stringify(spec),
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`bench-shap.py failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as {
    shap: string;
    cases: { pass_seconds: number[]; single_seconds: number[]; shap_values: number[][] }[];
  };
  return {
    version: out.shap,
    results: out.cases.map((r, k): ShapResult => {
      let maxAbsDiff = 0;
      const ours = results[k].shapValues;
      const F = cases[k].rows.cols;
      r.shap_values.forEach((row, i) =>
        row.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - ours[i * F + j])))),
      );
      return {
        rowsPerSecond: cases[k].rows.rows / median(r.pass_seconds),
        oneRowMs: median(r.single_seconds) * 1000,
        maxAbsDiff,
      };
    }),
  };
}

/** Requests/s of `POST /predict` over the rows, with or without explain. */
async function load(port: number, bodies: readonly string[], duration: number): Promise<number> {
  const m = await postLoad({
    url: `http://${HOST}:${port}/predict`,
    bodies,
    connections: CONNECTIONS,
    durationS: duration,
  });
  // Without this a round in which the service never answered would print 0 req/s as a figure.
  if (m.failures > 0 || m.ok === 0)
    throw new Error(`${m.failures} failed requests, ${m.ok} answers`);
  return m.rps;
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 5, 15);
  const duration = arg('duration', 5, 30);
  const artifact = decodeArtifact(readFileSync(DEFAULT_MODEL));
  const synthetic = syntheticServerData().x;
  const wideTrain = rowsFor(40, 5000, 40, 2);
  const wideOptions: IsolationForestOptions = {
    nEstimators: 100,
    maxSamples: 'auto',
    maxFeatures: { fraction: 1 },
    contamination: 'auto',
    bootstrap: false,
    randomState: 1,
  };
  const cases: Case[] = [
    {
      name: 'default model (100 trees, 2 features)',
      forest: artifact.forest,
      train: synthetic,
      options: artifact.params,
      rows: rowsFor(2, 2000, 2, 4),
    },
    {
      name: '40-feature model (100 trees)',
      forest: fitIsolationForest(wideTrain, wideOptions).forest,
      train: wideTrain,
      options: wideOptions,
      rows: rowsFor(41, 300, 40, 2),
    },
  ];

  // Rounds alternate between the engine and shap, so both see the same machine load.
  const engineRuns: EngineResult[][] = cases.map(() => []);
  const shapRuns: ShapResult[][] = cases.map(() => []);
  let shapVersion: string | null = null;
  for (let r = 0; r < rounds; r++) {
    const round = cases.map((c) => timeEngine(c, 1));
    round.forEach((e, k) => engineRuns[k].push(e));
    const s = timeShap(cases, round, 1);
    if (s !== null) {
      shapVersion = s.version;
      s.results.forEach((x, k) => shapRuns[k].push(x));
    }
  }
  const engine: EngineResult[] = engineRuns.map((runs) => ({
    prepareMs: median(runs.map((x) => x.prepareMs)),
    tableBytes: runs[0].tableBytes,
    tabledTrees: runs[0].tabledTrees,
    coldRowsPerSecond: median(runs.map((x) => x.coldRowsPerSecond)),
    warmRowsPerSecond: median(runs.map((x) => x.warmRowsPerSecond)),
    oneRowColdMs: median(runs.map((x) => x.oneRowColdMs)),
    oneRowWarmMs: median(runs.map((x) => x.oneRowWarmMs)),
    shapValues: runs[0].shapValues,
  }));
  /** Medians of the per-round ratios ours / shap. */
  const ratios = engineRuns.map((runs, k) => ({
    cold: median(runs.map((x, r) => x.coldRowsPerSecond / shapRuns[k][r]?.rowsPerSecond)),
    warm: median(runs.map((x, r) => x.warmRowsPerSecond / shapRuns[k][r]?.rowsPerSecond)),
  }));
  const shap =
    shapVersion === null
      ? null
      : {
          version: shapVersion,
          results: shapRuns.map((runs): ShapResult => ({
            rowsPerSecond: median(runs.map((x) => x.rowsPerSecond)),
            oneRowMs: median(runs.map((x) => x.oneRowMs)),
            maxAbsDiff: Math.max(...runs.map((x) => x.maxAbsDiff)),
          })),
        };

  const server = await startServiceProcess({ MODEL_PATH: DEFAULT_MODEL });
  const rows = toRows(cases[0].rows);
  const plainBodies = rows.map((r) => JSON.stringify({ data: r }));
  const explainBodies = rows.map((r) => JSON.stringify({ data: r, explain: true }));
  const plain: number[] = [];
  const explained: number[] = [];
  try {
    await load(server.port, plainBodies, 1);
    await load(server.port, explainBodies, 1);
    for (let r = 0; r < Math.min(rounds, 3); r++) {
      plain.push(await load(server.port, plainBodies, duration));
      explained.push(await load(server.port, explainBodies, duration));
    }
  } finally {
    server.child.kill('SIGTERM');
  }

  const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  console.log(`bench:explain (medians of ${rounds} rounds; shared machine: compare ratios)`);
  cases.forEach((c, k) => {
    const e = engine[k];
    console.log(`\n${c.name}, ${c.rows.rows} distinct rows`);
    console.log(
      `  leaf tables           ${(e.tableBytes / 2 ** 20).toFixed(2)} MiB, ` +
        `${e.tabledTrees}/${c.forest.nEstimators} trees; first explain ${e.prepareMs.toFixed(1)} ms`,
    );
    console.log(`  ours, cold memo       ${fmt(e.coldRowsPerSecond)} rows/s`);
    console.log(`  ours, warm            ${fmt(e.warmRowsPerSecond)} rows/s`);
    console.log(
      `  ours, one row         ${e.oneRowColdMs.toFixed(3)} ms cold, ${e.oneRowWarmMs.toFixed(3)} ms warm`,
    );
    if (shap) {
      const s = shap.results[k];
      console.log(
        `  shap ${shap.version} TreeExplainer ${fmt(s.rowsPerSecond)} rows/s, one row ${s.oneRowMs.toFixed(3)} ms`,
      );
      console.log(
        `  ratio to shap         ${ratios[k].cold.toFixed(2)}x cold, ` +
          `${ratios[k].warm.toFixed(2)}x warm (median of per-round ratios; target >= ${TARGETS.vsShap}x)`,
      );
      console.log(`  max |ours - shap|     ${s.maxAbsDiff.toExponential(2)}`);
    } else {
      console.log(`  shap: skipped (no ${SHAP_PYTHON}; python3 scripts/shap/shap_env.py makes it)`);
    }
  });
  const httpRatio = median(explained) / median(plain);
  console.log(`\nPOST /predict, ${CONNECTIONS} connections, ${rows.length} distinct rows`);
  console.log(`  plain                 ${fmt(median(plain))} req/s`);
  console.log(`  with "explain": true  ${fmt(median(explained))} req/s`);
  console.log(`  ratio                 ${httpRatio.toFixed(2)}x (target >= ${TARGETS.httpRatio}x)`);
  console.log(
    JSON.stringify({
      rounds,
      engine: cases.map((c, k) => ({
        model: c.name,
        tableBytes: engine[k].tableBytes,
        tabledTrees: engine[k].tabledTrees,
        prepareMs: engine[k].prepareMs,
        coldRowsPerSecond: engine[k].coldRowsPerSecond,
        warmRowsPerSecond: engine[k].warmRowsPerSecond,
        oneRowColdMs: engine[k].oneRowColdMs,
        oneRowWarmMs: engine[k].oneRowWarmMs,
        shap: shap
          ? { ...shap.results[k], ratioCold: ratios[k].cold, ratioWarm: ratios[k].warm }
          : null,
      })),
      http: { plain: median(plain), explain: median(explained), ratio: httpRatio },
      targets: TARGETS,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
