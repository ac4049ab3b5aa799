/**
 * `npm run bench:http`: the service's HTTP throughput and latency beside the framework ceiling.
 *
 * Starts, each in its own child process on 127.0.0.1, the real service (`dist/main.js`, default
 * model, default configuration, logs to /dev/null) and the ceiling (`ceiling-app.js`: a minimal
 * NestJS + Express app with one ValidationPipe-guarded POST route returning a constant). Then,
 * for 1, 16 and 64 connections, interleaves three cases of a few seconds each: the ceiling's
 * route and `POST /predict` with the same body, and `POST /predict/batch` with 100 rows.
 * `--rounds N` repeats the whole sequence and reports medians.
 *
 * Prints requests/s, p50 and p99 latency (exact, from every response, not autocannon's 1 ms
 * histogram), the steady-state p99 (without each connection's first response: see below),
 * server CPU time per request (Linux; steadier than wall-clock figures on a shared
 * machine), the ratios to the ceiling, the engine's own rows/s on the batch rows (the bound for
 * the batch figures), the issue's targets, the batch's ratio to the ceiling beside the ratio the
 * batch target amounts to at the issue's stated ceiling (its absolute figure follows the
 * machine's speed), and a final JSON line.
 *
 * Why a steady-state p99: each case opens its connections anew, and a saturated Node server
 * accepts one pending connection per event-loop iteration (libuv >= 1.46 accepts one per
 * readiness event), so under load the last of 64 new connections can wait seconds for its first
 * response. Those first responses are about 1% of a 64-connection batch case's requests, enough
 * to decide its p99; a gateway's keep-alive pool does not reconnect like that.
 *
 * Usage: node dist/bench/http.bench.js [--duration 5] [--rounds 1] [--warmup 2]
 *
 * With `--workers 1,2` it measures the worker pool instead (WORKERS=1 against WORKERS=2 and
 * any other counts listed, wrk as the load generator): see workers.bench.ts. Extra options there:
 * `--connections 64`, `--wrk-threads 2`.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact } from '../artifact';
import { matrixFromRows, prepareForest, scoreSamples } from '../engine';
import { runWorkersBench } from './workers.bench';
import { hasWrk } from './wrk';
import {
  benchArg as arg,
  benchRows,
  cpuMs,
  median,
  percentile,
  startService as startServiceProcess,
  BENCH_HOST as HOST,
} from './support';

const CONNECTIONS = [1, 16, 64] as const;
const BATCH_ROWS = 100;
const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
/** Hard bounds, whatever the arguments say. */
const MAX_DURATION_S = 30;
const MAX_ROUNDS = 5;

/** The issue's targets. */
const TARGETS = {
  predictRpsRatioAt16: 0.85,
  predictP99RatioAt16: 1.5,
  batchRowsPerSecond: 100_000,
};

/**
 * The ceiling's requests/s on the development machine as the issue states it ("about 2,000/s").
 * At that speed the batch target (100,000 rows/s, 1,000 requests of 100 rows) is 0.5x the
 * ceiling's requests/s: printed beside the absolute figure, which follows the machine's speed.
 */
const ISSUE_CEILING_RPS = 2_000;

type CaseName = 'ceiling' | 'predict' | 'batch';

interface Measurement {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** p99 without each connection's first response (connection set-up under load). */
  readonly p99Steady: number;
  /** Server CPU milliseconds per request, or null where /proc is unavailable. */
  readonly cpuMsPerRequest: number | null;
  readonly requests: number;
  readonly failures: number;
}

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
}

function startCeiling(): Promise<Server> {
  const child = fork(join(__dirname, 'ceiling-app.js'), ['0'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ready?: number }) => {
      if (typeof m.ready === 'number') resolve({ child, port: m.ready });
    });
    child.once('exit', (code) => reject(new Error(`ceiling app exited with ${code}`)));
  });
}

/** Runs one load case: `connections` clients for `duration` seconds. */
function load(
  server: Server,
  path: string,
  body: string,
  connections: number,
  duration: number,
): Promise<Measurement> {
  const latencies: number[] = [];
  const steady: number[] = [];
  const seen = new Set<unknown>();
  let failures = 0;
  const cpuBefore = cpuMs(server.child.pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://${HOST}:${server.port}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration,
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const cpuAfter = cpuMs(server.child.pid);
        const sorted = Float64Array.from(latencies).sort();
        const requests = sorted.length;
        resolve({
          rps: requests / duration,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          p99Steady: percentile(Float64Array.from(steady).sort(), 99),
          cpuMsPerRequest:
            Number.isNaN(cpuBefore) || Number.isNaN(cpuAfter) || requests === 0
              ? null
              : (cpuAfter - cpuBefore) / requests,
          requests,
          failures: failures + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (client: unknown, status: number, _bytes: number, ms: number) => {
      if (status !== 200) failures++;
      else {
        latencies.push(ms);
        if (seen.has(client)) steady.push(ms);
      }
      seen.add(client);
    });
  });
}

/**
 * The engine alone, in this process: rows/s scoring the batch's 100 rows with `scoreSamples`
 * for `seconds` (idle servers meanwhile), on a forest prepared as the service prepares it. The
 * upper bound of any batch figure over HTTP.
 */
function engineRowsPerSecond(body: string, seconds: number): number {
  const artifact = decodeArtifact(readFileSync(DEFAULT_MODEL));
  prepareForest(artifact.forest);
  const x = matrixFromRows((JSON.parse(body) as { data: number[][] }).data);
  const out = new Float64Array(x.rows);
  for (let i = 0; i < 200; i++) scoreSamples(artifact.forest, x, out);
  let rows = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) scoreSamples(artifact.forest, x, out);
    rows += 50 * x.rows;
    elapsed = process.hrtime.bigint() - start;
  }
  return rows / (Number(elapsed) / 1e9);
}

function medianOf(runs: Measurement[]): Measurement {
  const cpu = runs.map((r) => r.cpuMsPerRequest).filter((v): v is number => v !== null);
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p99Steady: median(runs.map((r) => r.p99Steady)),
    cpuMsPerRequest: cpu.length === runs.length ? median(cpu) : null,
    requests: runs.reduce((n, r) => n + r.requests, 0),
    failures: runs.reduce((n, r) => n + r.failures, 0),
  };
}

const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** `--workers 1,2` as numbers, or null when absent. */
function workersArg(): number[] | null {
  const i = process.argv.indexOf('--workers');
  if (i < 0) return null;
  const list = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (list.length === 0 || !list.every((n) => Number.isInteger(n) && n >= 1 && n <= 64)) {
    throw new Error('--workers takes a list of worker counts, e.g. 1,2');
  }
  return list;
}

async function main(): Promise<void> {
  const duration = arg('duration', 5, MAX_DURATION_S);
  const rounds = Math.round(arg('rounds', 1, MAX_ROUNDS));
  const warmup = arg('warmup', 2, 10);
  if (!existsSync(DEFAULT_MODEL)) {
    throw new Error(
      `${DEFAULT_MODEL} is missing: run \`npm start\` once (it trains it) or \`npm run train\``,
    );
  }
  const workers = workersArg();
  if (workers !== null) {
    if (!hasWrk()) throw new Error('--workers needs wrk on PATH (Debian: apt-get install wrk)');
    await runWorkersBench({
      workers,
      durationS: duration,
      rounds,
      warmupS: warmup,
      connections: Math.round(arg('connections', 64, 1024)),
      wrkThreads: Math.round(arg('wrk-threads', 2, 16)),
      batchBody: JSON.stringify({ data: benchRows(BATCH_ROWS) }),
    });
    return;
  }
  const single = JSON.stringify({ data: [2.1, 2.1] });
  const batch = JSON.stringify({ data: benchRows(BATCH_ROWS) });
  const [ceiling, service] = await Promise.all([
    startCeiling(),
    startServiceProcess({ MODEL_PATH: DEFAULT_MODEL, LOG_LEVEL: 'info' }),
  ]);
  const servers: Record<CaseName, { server: Server; path: string; body: string }> = {
    ceiling: { server: ceiling, path: '/predict', body: single },
    predict: { server: service, path: '/predict', body: single },
    batch: { server: service, path: '/predict/batch', body: batch },
  };
  try {
    console.log(
      `node ${process.version}; ${duration}s per case, ${rounds} round(s), ${warmup}s warm-up per server; 127.0.0.1 only`,
    );
    for (const name of ['ceiling', 'predict', 'batch'] as const) {
      const c = servers[name];
      await load(c.server, c.path, c.body, 16, warmup);
    }
    const runs: Record<string, Measurement[]> = {};
    for (let round = 1; round <= rounds; round++) {
      for (const connections of CONNECTIONS) {
        for (const name of ['ceiling', 'predict', 'batch'] as const) {
          const c = servers[name];
          const m = await load(c.server, c.path, c.body, connections, duration);
          (runs[`${name}@${connections}`] ??= []).push(m);
          console.log(
            `round ${round} ${name.padEnd(7)} c=${String(connections).padStart(2)}: ${fmt(m.rps, 0)} req/s, p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms (steady ${fmt(m.p99Steady)})${m.failures ? `, ${m.failures} FAILED` : ''}`,
          );
        }
      }
    }
    const engineRuns: number[] = [];
    for (let round = 1; round <= rounds; round++)
      engineRuns.push(engineRowsPerSecond(batch, duration));
    const engine = median(engineRuns);
    console.log(`engine alone (scoreSamples, same 100 rows, in-process): ${fmt(engine, 0)} rows/s`);
    const results = CONNECTIONS.map((connections) => {
      const get = (name: CaseName): Measurement => medianOf(runs[`${name}@${connections}`]);
      const [ceil, pred, bat] = [get('ceiling'), get('predict'), get('batch')];
      return {
        connections,
        ceiling: ceil,
        predict: pred,
        batch: {
          ...bat,
          rowsPerSecond: bat.rps * BATCH_ROWS,
          ratioToEngineAlone: (bat.rps * BATCH_ROWS) / engine,
          /** Batch requests/s over the ceiling's: steadier than rows/s on a shared machine. */
          ratioToCeilingRps: bat.rps / ceil.rps,
        },
        ratios: {
          predictRps: pred.rps / ceil.rps,
          predictP50: pred.p50 / ceil.p50,
          predictP99: pred.p99 / ceil.p99,
          predictCpuPerRequest:
            pred.cpuMsPerRequest !== null && ceil.cpuMsPerRequest !== null
              ? pred.cpuMsPerRequest / ceil.cpuMsPerRequest
              : null,
        },
      };
    });
    console.log(`\nmedians of ${rounds} round(s):`);
    console.log(
      'conn | ceiling req/s  p50  p99 | /predict req/s  p50  p99 | ratio rps  p99 | cpu ms/req ceil /predict | batch(100) req/s  rows/s  p50  p99  vs engine  vs ceiling  cpu ms/req',
    );
    for (const r of results) {
      console.log(
        [
          String(r.connections).padStart(4),
          `${fmt(r.ceiling.rps, 0).padStart(13)} ${fmt(r.ceiling.p50)} ${fmt(r.ceiling.p99)}`,
          `${fmt(r.predict.rps, 0).padStart(14)} ${fmt(r.predict.p50)} ${fmt(r.predict.p99)}`,
          `${fmt(r.ratios.predictRps).padStart(9)} ${fmt(r.ratios.predictP99)}`,
          `${fmt(r.ceiling.cpuMsPerRequest ?? NaN, 3)} ${fmt(r.predict.cpuMsPerRequest ?? NaN, 3)}`,
          `${fmt(r.batch.rps, 0).padStart(16)} ${fmt(r.batch.rowsPerSecond, 0)} ${fmt(r.batch.p50)} ${fmt(r.batch.p99)} ${fmt(r.batch.ratioToEngineAlone)} ${fmt(r.batch.ratioToCeilingRps)} ${fmt(r.batch.cpuMsPerRequest ?? NaN, 3)}`,
        ].join(' | '),
      );
    }
    console.log(
      "steady-state p99 ms (without each connection's first response): ceiling /predict batch",
    );
    for (const r of results) {
      console.log(
        `${String(r.connections).padStart(4)} | ${fmt(r.ceiling.p99Steady)} ${fmt(r.predict.p99Steady)} ${fmt(r.batch.p99Steady)}`,
      );
    }
    const at16 = results.find((r) => r.connections === 16)!;
    const targets = {
      predictRpsRatioAt16: {
        target: `>= ${TARGETS.predictRpsRatioAt16}`,
        value: at16.ratios.predictRps,
        met: at16.ratios.predictRps >= TARGETS.predictRpsRatioAt16,
      },
      predictP99RatioAt16: {
        target: `<= ${TARGETS.predictP99RatioAt16}`,
        value: at16.ratios.predictP99,
        met: at16.ratios.predictP99 <= TARGETS.predictP99RatioAt16,
      },
      batchRowsPerSecond: {
        target: `>= ${TARGETS.batchRowsPerSecond}`,
        value: Math.max(...results.map((r) => r.batch.rowsPerSecond)),
        met: Math.max(...results.map((r) => r.batch.rowsPerSecond)) >= TARGETS.batchRowsPerSecond,
      },
    };
    const failures = results.reduce(
      (n, r) => n + r.ceiling.failures + r.predict.failures + r.batch.failures,
      0,
    );
    console.log(
      `\ntargets at 16 connections: /predict rps ratio ${fmt(targets.predictRpsRatioAt16.value)} (${targets.predictRpsRatioAt16.target}: ${targets.predictRpsRatioAt16.met ? 'met' : 'NOT met'}), p99 ratio ${fmt(targets.predictP99RatioAt16.value)} (${targets.predictP99RatioAt16.target}: ${targets.predictP99RatioAt16.met ? 'met' : 'NOT met'}); batch ${fmt(targets.batchRowsPerSecond.value, 0)} rows/s (${targets.batchRowsPerSecond.target}: ${targets.batchRowsPerSecond.met ? 'met' : 'NOT met'})${failures ? `; ${failures} FAILED requests` : ''}`,
    );
    const batchVsCeiling = at16.batch.ratioToCeilingRps;
    const equivalent = TARGETS.batchRowsPerSecond / BATCH_ROWS / ISSUE_CEILING_RPS;
    console.log(
      `batch at 16 connections: ${fmt(batchVsCeiling)}x the ceiling's requests/s in this run; the ${fmt(TARGETS.batchRowsPerSecond, 0)} rows/s target is ${fmt(equivalent)}x a ceiling of ${ISSUE_CEILING_RPS} requests/s (the issue's figure for this machine), and this run's ceiling answered ${fmt(at16.ceiling.rps, 0)}`,
    );
    console.log(
      JSON.stringify({
        benchmark: 'http',
        node: process.version,
        duration,
        rounds,
        engineRowsPerSecond: engine,
        results,
        targets,
        batchVsCeilingAt16: { value: batchVsCeiling, targetAtIssueCeiling: equivalent },
        failures,
      }),
    );
  } finally {
    for (const s of [ceiling, service]) s.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
