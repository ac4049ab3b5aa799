/**
 * `npm run bench:monitoring`: what live drift monitoring costs on the request path.
 *
 * 1. In this process: nanoseconds per row of the drift window (`DriftWindow.observeRows`) and of
 *    the percentile lookup, beside the engine's own scoring of the same rows (`scoreOne`).
 * 2. Over HTTP: two real services (`dist/main.js`, default model, logs discarded), one with
 *    monitoring on (MONITOR_WINDOW_ROWS=10000, the default) and one with it off
 *    (MONITOR_WINDOW_ROWS=0), a fresh pair every round (`--rounds`), started and loaded in
 *    alternating order, with `POST /predict` (one row) and `POST /predict/batch` (100 rows) at
 *    16 connections. Prints the medians of requests/s and server CPU per request, the median of
 *    the per-round on/off ratios (target: /predict >= 0.95x) and the window's in-process cost
 *    as a share of a request's server CPU.
 *    Both compute `anomaly_percentile` (a field of every prediction, not part of monitoring).
 *
 * Usage: node dist/bench/monitoring.bench.js [--duration 3] [--rounds 7]
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../artifact';
import { prepareForest, scoreOne, scoreSamples } from '../engine';
import { anomalyPercentile, DriftWindow } from '../monitoring';
import {
  benchArg as arg,
  benchRows,
  median,
  startService as startServiceProcess,
  BENCH_HOST as HOST,
  postLoad,
} from './support';

const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
const CONNECTIONS = 16;

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
}

interface Measurement {
  readonly rps: number;
  readonly cpuMsPerRequest: number | null;
}

/** One load case; any failed request stops the benchmark. */
async function load(
  server: Server,
  path: string,
  body: string,
  duration: number,
): Promise<Measurement> {
  const m = await postLoad({
    url: `http://${HOST}:${server.port}${path}`,
    bodies: [body],
    connections: CONNECTIONS,
    durationS: duration,
    pid: server.child.pid,
  });
  if (m.failures > 0) throw new Error(`${path}: ${m.failures} failed requests`);
  return {
    rps: m.rps,
    cpuMsPerRequest: Number.isNaN(m.cpuMsPerRequest) ? null : m.cpuMsPerRequest,
  };
}

/** ns per row of `fn(k)` over `n` rows, median of 7 timed passes. */
function nsPerRow(n: number, passes: number, fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let p = 0; p < 7; p++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < passes; i++) fn();
    times.push(Number(process.hrtime.bigint() - start) / (passes * n));
  }
  return median(times);
}

function inProcess(): Record<string, number> {
  const artifact = decodeArtifact(readFileSync(DEFAULT_MODEL));
  prepareForest(artifact.forest);
  const reference = artifact.reference!;
  const data = Float64Array.from(benchRows(10_000).flat());
  const x = { data, rows: 10_000, cols: 2 };
  const scores = scoreSamples(artifact.forest, x);
  const window = new DriftWindow(reference, 10_000);
  let sink = 0;
  const observe = nsPerRow(10_000, 20, () => window.observeRows(data, scores, artifact.offset, 1));
  const percentileNs = nsPerRow(10_000, 20, () => {
    for (let i = 0; i < scores.length; i++)
      sink += anomalyPercentile(reference.percentileScores, -scores[i]);
  });
  const one = nsPerRow(10_000, 2, () => {
    for (let i = 0; i < 10_000; i++)
      sink += scoreOne(artifact.forest, data.subarray(2 * i, 2 * i + 2));
  });
  if (sink === 0.123) console.log(sink);
  return { windowNsPerRow: observe, percentileNsPerRow: percentileNs, scoreOneNsPerRow: one };
}

async function main(): Promise<void> {
  const duration = arg('duration', 3, 30);
  const rounds = Math.round(arg('rounds', 7, 15));
  const cost = inProcess();
  console.log(
    `in process: drift window ${cost.windowNsPerRow.toFixed(0)} ns/row, percentile ${cost.percentileNsPerRow.toFixed(0)} ns/row, scoreOne ${cost.scoreOneNsPerRow.toFixed(0)} ns/row`,
  );
  const cases = [
    { name: 'predict', path: '/predict', body: JSON.stringify({ data: [2.1, 2.1] }) },
    { name: 'batch100', path: '/predict/batch', body: JSON.stringify({ data: benchRows(100) }) },
  ];
  const results: Record<string, { on: Measurement[]; off: Measurement[] }> = {};
  for (const c of cases) results[c.name] = { on: [], off: [] };
  for (let r = 0; r < rounds; r++) {
    // A fresh pair of processes every round, started and loaded in alternating order: on a
    // shared machine a process's placement and start order can move its throughput by more
    // than the window costs, so neither side may keep a lucky (or unlucky) process.
    const sides = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    const servers: Record<'on' | 'off', Server> = {} as Record<'on' | 'off', Server>;
    try {
      for (const side of sides)
        servers[side] = await startServiceProcess({
          MODEL_PATH: DEFAULT_MODEL,
          LOG_LEVEL: 'info',
          MONITOR_WINDOW_ROWS: String(side === 'on' ? 10_000 : 0),
        });
      for (const c of cases) {
        for (const side of sides) await load(servers[side], c.path, c.body, 1);
        for (const side of sides) {
          results[c.name][side].push(await load(servers[side], c.path, c.body, duration));
        }
      }
    } finally {
      for (const side of sides) servers[side]?.child.kill('SIGTERM');
    }
  }
  const summary: Record<string, unknown> = { ...cost, connections: CONNECTIONS, rounds, duration };
  for (const c of cases) {
    const { on: a, off: b } = results[c.name];
    const rpsOn = median(a.map((m) => m.rps));
    const rpsOff = median(b.map((m) => m.rps));
    const cpu = (ms: Measurement[]): number | null =>
      ms.every((m) => m.cpuMsPerRequest !== null)
        ? median(ms.map((m) => m.cpuMsPerRequest!))
        : null;
    const cpuOn = cpu(a);
    const cpuOff = cpu(b);
    const paired = median(a.map((m, i) => m.rps / b[i].rps));
    console.log(
      `${c.name.padEnd(9)} monitoring on ${rpsOn.toFixed(0)} req/s, off ${rpsOff.toFixed(0)} req/s: ` +
        `ratio of medians ${(rpsOn / rpsOff).toFixed(3)}, median of paired ratios ${paired.toFixed(3)}` +
        (cpuOn !== null && cpuOff !== null
          ? `; server CPU ${cpuOn.toFixed(3)} vs ${cpuOff.toFixed(3)} ms/request (${(cpuOff / cpuOn).toFixed(3)}x)`
          : ''),
    );
    summary[c.name] = {
      rpsOn,
      rpsOff,
      ratio: rpsOn / rpsOff,
      pairedRatio: paired,
      cpuMsOn: cpuOn,
      cpuMsOff: cpuOff,
    };
  }
  const predict = summary.predict as {
    ratio: number;
    pairedRatio: number;
    cpuMsOff: number | null;
  };
  const share = predict.cpuMsOff === null ? null : cost.windowNsPerRow / 1e6 / predict.cpuMsOff;
  console.log(
    `target /predict >= 0.95x with monitoring on: median of paired ratios ${predict.pairedRatio.toFixed(3)}x ` +
      `(${predict.pairedRatio >= 0.95 ? 'met' : 'NOT met'}), ratio of medians ${predict.ratio.toFixed(3)}x` +
      (share === null
        ? ''
        : `; the window's own cost is ${(100 * share).toFixed(2)}% of a /predict request's server CPU`),
  );
  console.log(JSON.stringify({ ...summary, windowShareOfPredictCpu: share }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
