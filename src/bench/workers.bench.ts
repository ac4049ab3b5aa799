/**
 * `npm run bench:http -- --workers 1,2`: the worker pool's scaling, with wrk as the load generator.
 *
 * Starts the real service (`dist/main.js`, default model, logs to /dev/null) once per worker
 * count, all at the same time on 127.0.0.1, then for each round interleaves, per worker count,
 * `POST /predict` (one row) and `POST /predict/batch` (100 rows) at 64 keep-alive connections
 * (`--connections` to change) for `--duration` seconds each. Reports per case the medians over
 * rounds of requests/s, p50/p99 latency, the server's CPU milliseconds per request (primary and
 * workers summed, from /proc, and the primary's share on its own), the pool's RSS, the load
 * average around the runs, and the ratios of each worker count to the first (WORKERS=1) from the
 * same run. Ends with what the per-request CPU cost implies at 8 and 16 cores, and a JSON line.
 *
 * wrk runs on the same machine: its own CPU competes with the servers', which is printed too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { runWrk, type WrkResult } from './wrk';
import { cpuMs, freePort, median, BENCH_HOST as HOST } from './support';

const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';

/** The issue's targets: requests/s at 64 connections, WORKERS=2 over WORKERS=1. */
export const WORKER_TARGETS = { predict: 1.4, batch: 1.5 } as const;

/** Options of {@link runWorkersBench}. */
export interface WorkersBenchOptions {
  readonly workers: readonly number[];
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly wrkThreads: number;
  readonly batchBody: string;
}

type CaseName = 'predict' | 'batch';

interface Measurement extends WrkResult {
  /** Server CPU ms per request: primary + workers. */
  readonly cpuMsPerRequest: number;
  /** The primary's own CPU ms per request (0 with WORKERS=1: there is none). */
  readonly primaryCpuMsPerRequest: number;
  /** wrk's CPU ms per request (the load generator's share of the machine). */
  readonly loadavg1: number;
}

interface Service {
  readonly workers: number;
  readonly child: ChildProcess;
  readonly port: number;
}

async function start(workers: number): Promise<Service> {
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'main.js'), [], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST,
      PORT: String(port),
      MODEL_PATH: DEFAULT_MODEL,
      LOG_LEVEL: 'info',
      WORKERS: String(workers),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://${HOST}:${port}/health/ready`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`WORKERS=${workers}: exited ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return { workers, child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WORKERS=${workers} never became ready`);
}

/** `pid` and its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const dir = `/proc/${out[i]}/task`;
    if (!existsSync(dir)) continue;
    for (const task of readdirSync(dir)) {
      const file = `${dir}/${task}/children`;
      if (!existsSync(file)) continue;
      for (const child of readFileSync(file, 'utf8').trim().split(/\s+/)) {
        if (child !== '') out.push(Number(child));
      }
    }
  }
  return out;
}

/** Resident set size of `pid` in bytes, 0 when gone. */
function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function measure(
  service: Service,
  path: string,
  body: string,
  options: WorkersBenchOptions,
  durationS: number,
): Promise<Measurement> {
  const primary = service.child.pid!;
  const tree = processTree(primary);
  const before = tree.map(cpuMs);
  const load = loadavg()[0];
  const result = await runWrk({
    url: `http://${HOST}:${service.port}${path}`,
    body,
    connections: options.connections,
    durationS,
    threads: options.wrkThreads,
  });
  const after = tree.map(cpuMs);
  const total = after.reduce((n, v, i) => n + v - before[i], 0);
  const requests = Math.max(1, result.requests);
  return {
    ...result,
    cpuMsPerRequest: total / requests,
    primaryCpuMsPerRequest: service.workers > 1 ? (after[0] - before[0]) / requests : 0,
    loadavg1: (load + loadavg()[0]) / 2,
  };
}

function medianOf(runs: readonly Measurement[]): Measurement {
  const pick = (f: (m: Measurement) => number): number => median(runs.map(f));
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    rps: pick((m) => m.rps),
    p50: pick((m) => m.p50),
    p99: pick((m) => m.p99),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    cpuMsPerRequest: pick((m) => m.cpuMsPerRequest),
    primaryCpuMsPerRequest: pick((m) => m.primaryCpuMsPerRequest),
    loadavg1: pick((m) => m.loadavg1),
  };
}

const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** Runs the pool benchmark and prints its report. */
export async function runWorkersBench(options: WorkersBenchOptions): Promise<void> {
  const single = JSON.stringify({ data: [2.1, 2.1] });
  const cases: Record<CaseName, { path: string; body: string }> = {
    predict: { path: '/predict', body: single },
    batch: { path: '/predict/batch', body: options.batchBody },
  };
  const services: Service[] = [];
  try {
    for (const n of options.workers) services.push(await start(n));
    const cores = availableParallelism();
    console.log(
      `node ${process.version}; ${cores} CPUs; WORKERS ${options.workers.join(', ')}; wrk -t${options.wrkThreads} -c${options.connections}; ${options.durationS}s per case, ${options.rounds} round(s), ${options.warmupS}s warm-up; load average now ${loadavg()
        .map((v) => fmt(v))
        .join(' ')}`,
    );
    for (const s of services) {
      for (const name of ['predict', 'batch'] as const) {
        await measure(s, cases[name].path, cases[name].body, options, options.warmupS);
      }
    }
    const runs = new Map<string, Measurement[]>();
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate the order per round so neither worker count always runs first.
      const order = round % 2 === 1 ? services : [...services].reverse();
      for (const name of ['predict', 'batch'] as const) {
        for (const s of order) {
          const m = await measure(
            s,
            cases[name].path,
            cases[name].body,
            options,
            options.durationS,
          );
          const key = `${name}@${s.workers}`;
          runs.set(key, [...(runs.get(key) ?? []), m]);
          console.log(
            `round ${round} ${name.padEnd(7)} WORKERS=${s.workers}: ${fmt(m.rps, 0)} req/s, p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms, cpu ${fmt(m.cpuMsPerRequest, 3)} ms/req (primary ${fmt(m.primaryCpuMsPerRequest, 4)}), load ${fmt(m.loadavg1)}${m.failures ? `, ${m.failures} FAILED` : ''}`,
          );
        }
      }
    }
    const rss = services.map((s) => ({
      workers: s.workers,
      processes: processTree(s.child.pid!).length,
      rssMiB: processTree(s.child.pid!).reduce((n, pid) => n + rssBytes(pid), 0) / 2 ** 20,
    }));
    const base = options.workers[0];
    const results = options.workers.map((n) => {
      const predict = medianOf(runs.get(`predict@${n}`)!);
      const batch = medianOf(runs.get(`batch@${n}`)!);
      const ref = {
        predict: medianOf(runs.get(`predict@${base}`)!),
        batch: medianOf(runs.get(`batch@${base}`)!),
      };
      return {
        workers: n,
        predict,
        batch,
        ratio: { predict: predict.rps / ref.predict.rps, batch: batch.rps / ref.batch.rps },
        rss: rss.find((r) => r.workers === n)!,
      };
    });
    console.log(`\nmedians of ${options.rounds} round(s), ${options.connections} connections:`);
    console.log(
      'WORKERS | /predict req/s  p50  p99  cpu ms/req  ratio | batch(100) req/s  p50  p99  cpu ms/req  ratio | processes  RSS MiB',
    );
    for (const r of results) {
      console.log(
        [
          String(r.workers).padStart(7),
          `${fmt(r.predict.rps, 0).padStart(14)} ${fmt(r.predict.p50)} ${fmt(r.predict.p99)} ${fmt(r.predict.cpuMsPerRequest, 3)} ${fmt(r.ratio.predict)}x`,
          `${fmt(r.batch.rps, 0).padStart(16)} ${fmt(r.batch.p50)} ${fmt(r.batch.p99)} ${fmt(r.batch.cpuMsPerRequest, 3)} ${fmt(r.ratio.batch)}x`,
          `${String(r.rss.processes).padStart(9)} ${fmt(r.rss.rssMiB, 0)}`,
        ].join(' | '),
      );
    }
    const two = results.find((r) => r.workers === 2);
    if (two !== undefined && base === 1) {
      console.log(
        `\ntargets (WORKERS=2 / WORKERS=1 at ${options.connections} connections): /predict ${fmt(two.ratio.predict)}x (>= ${WORKER_TARGETS.predict}: ${two.ratio.predict >= WORKER_TARGETS.predict ? 'met' : 'NOT met'}), batch ${fmt(two.ratio.batch)}x (>= ${WORKER_TARGETS.batch}: ${two.ratio.batch >= WORKER_TARGETS.batch ? 'met' : 'NOT met'})`,
      );
    }
    // On paper: with the load generator elsewhere and no other tenant, N workers on N cores serve
    // at most N / (worker CPU per request) requests/s, and the primary (one core, one process)
    // at most 1 / (its CPU per request): the pool's serial part.
    const pooled = results[results.length - 1];
    console.log(
      `\non paper, from the CPU per request measured here with WORKERS=${pooled.workers} (WORKERS=N on N otherwise idle cores):`,
    );
    const onPaper: Record<string, Record<CaseName, number>> = {};
    for (const cores of [8, 16]) {
      const line = (['predict', 'batch'] as const).map((name) => {
        const m = pooled[name];
        const workerCpu = Math.max(m.cpuMsPerRequest - m.primaryCpuMsPerRequest, 1e-9);
        const workersBound = (cores * 1000) / workerCpu;
        const primaryBound =
          m.primaryCpuMsPerRequest > 0 ? 1000 / m.primaryCpuMsPerRequest : Infinity;
        const bound = Math.min(workersBound, primaryBound);
        (onPaper[String(cores)] ??= { predict: 0, batch: 0 })[name] = bound;
        return `${name} <= ${fmt(bound, 0)} req/s (workers ${fmt(workerCpu, 3)} ms/req -> ${fmt(workersBound, 0)}; primary ${fmt(m.primaryCpuMsPerRequest, 4)} ms/req -> ${fmt(primaryBound, 0)})`;
      });
      console.log(`  ${cores} cores: ${line.join('; ')}`);
    }
    console.log(
      JSON.stringify({
        benchmark: 'http-workers',
        node: process.version,
        cpus: availableParallelism(),
        connections: options.connections,
        duration: options.durationS,
        rounds: options.rounds,
        results,
        targets: WORKER_TARGETS,
        onPaper,
        loadavg: loadavg(),
      }),
    );
  } finally {
    for (const s of services) s.child.kill('SIGTERM');
  }
}
