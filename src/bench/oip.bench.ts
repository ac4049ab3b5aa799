/**
 * `npm run bench:oip`: the Open Inference Protocol beside the domain API, and a repository of
 * 50 models.
 *
 * 1. Throughput (one real service, `dist/main.js`, default model, logs to /dev/null): at 16
 *    connections, interleaved cases of a few seconds each, repeated `--rounds` times: `POST
 *    /predict` (1 row) against `POST /v2/models/anomaly-detector/infer` (the same row, FP64), and
 *    `POST /predict/batch` (100 rows) against OIP infer of the same 100 rows. Reports median
 *    requests/s and rows/s and the OIP/domain ratios, judged on the median of the per-round
 *    ratios (targets: >= 0.9x both), and the server's CPU time per request.
 * 2. Repository: 50 copies of the default model in a Triton-layout temporary repository.
 *    - whole-repository load time: a child process loads it through the real ModelLoader and
 *      ModelRegistry (read, decode, verify, install every model: all serving), median of
 *      `--rounds` children; and what building every model's decision tables would add;
 *    - the real service's resident set size with the 50-model repository, beside the same
 *      service with MODEL_PATH (one model) in the same run: target <= 100 MB + 3 MB per model;
 *      and again once every model has scored one batch (and so built its decision tables).
 *
 * Usage: node dist/bench/oip.bench.js [--duration 5] [--rounds 3] [--models 50]
 */
import { ConfigService } from '@nestjs/config';
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type AppConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { ModelLoader } from '../model/model-loader';
import { ModelRegistry } from '../model/model-registry';
import {
  benchArg as arg,
  benchRows,
  median,
  rssMiB as rssMb,
  startService as startServiceProcess,
  stopService as stop,
  BENCH_HOST as HOST,
  postLoad,
} from './support';

const CONNECTIONS = 16;
const BATCH_ROWS = 100;
const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
const TARGET_RATIO = 0.9;
const RSS_BASE_MB = 100;
const RSS_PER_MODEL_MB = 3;
const LOAD_TARGET_S = 2;

const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

interface Service {
  readonly child: ChildProcess;
  readonly port: number;
}

/** One load case: requests/s and the server's CPU milliseconds per request. */
interface LoadResult {
  readonly rps: number;
  readonly cpuMsPerRequest: number;
  readonly failures: number;
}

/** Runs one load case (non-200 answers are counted and reported). */
async function load(
  service: Service,
  path: string,
  body: string,
  duration: number,
): Promise<LoadResult> {
  const m = await postLoad({
    url: `http://${HOST}:${service.port}${path}`,
    bodies: [body],
    connections: CONNECTIONS,
    durationS: duration,
    pid: service.child.pid,
  });
  return { rps: m.rps, cpuMsPerRequest: m.cpuMsPerRequest, failures: m.failures };
}

function oipBody(rows: number[][]): string {
  return JSON.stringify({
    inputs: [{ name: 'input', shape: [rows.length, 2], datatype: 'FP64', data: rows.flat() }],
  });
}

/** Writes `models` copies of the default model as `<root>/model-<i>/1/model.json`. */
function writeRepository(root: string, models: number): void {
  for (let i = 0; i < models; i++) {
    const folder = join(root, `model-${String(i).padStart(3, '0')}`, '1');
    mkdirSync(folder, { recursive: true });
    copyFileSync(DEFAULT_MODEL, join(folder, 'model.json'));
  }
}

/** Child mode: load the repository through the registry, report seconds and outcomes. */
async function loadChild(root: string): Promise<void> {
  const config = new ConfigService<AppConfig, true>({
    ...loadConfig({ MODEL_REPOSITORY: root, LOG_LEVEL: 'silent' }),
  });
  const registry = new ModelRegistry(
    new ModelLoader(config),
    config,
    new MetricsService(),
    pino({ level: 'silent' }),
  );
  const start = process.hrtime.bigint();
  const outcomes = await registry.loadAll('startup');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const ready = registry.allReady();
  // What building every model's decision tables would add (the service builds them on demand).
  const tablesStart = process.hrtime.bigint();
  for (const entry of registry.entries()) {
    for (const slot of entry.versions) if (slot.model !== null) registry.ensurePrepared(slot.model);
  }
  await registry.whenPrepared();
  const tablesSeconds = Number(process.hrtime.bigint() - tablesStart) / 1e9;
  const run: LoadRun = {
    seconds,
    tablesSeconds,
    loaded: outcomes.filter((o) => o.ok).length,
    ready,
  };
  process.send?.(run);
}

/** One load child's report. */
interface LoadRun {
  /** Until every model is verified, installed and serving. */
  readonly seconds: number;
  /** Building every model's decision tables afterwards (on demand in the service). */
  readonly tablesSeconds: number;
  readonly loaded: number;
  readonly ready: boolean;
}

function timeLoad(root: string): Promise<LoadRun> {
  const child = fork(__filename, ['--load-child', root], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: LoadRun) => resolve(m));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load child exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const duration = arg('duration', 5, 30);
  const rounds = Math.round(arg('rounds', 3, 7));
  const models = Math.round(arg('models', 50, 500));
  const rows = benchRows(BATCH_ROWS);
  const cases = {
    predict: { path: '/predict', body: JSON.stringify({ data: [2.1, 2.1] }), rows: 1 },
    oip1: { path: '/v2/models/anomaly-detector/infer', body: oipBody([[2.1, 2.1]]), rows: 1 },
    batch: { path: '/predict/batch', body: JSON.stringify({ data: rows }), rows: BATCH_ROWS },
    oip100: { path: '/v2/models/anomaly-detector/infer', body: oipBody(rows), rows: BATCH_ROWS },
  };
  console.log(
    `node ${process.version}; ${CONNECTIONS} connections, ${duration}s per case, ${rounds} round(s), interleaved; 127.0.0.1`,
  );
  const service = await startServiceProcess(
    { MODEL_PATH: DEFAULT_MODEL, LOG_LEVEL: 'warn' },
    '/v2/health/ready',
  );
  const runs: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  let failures = 0;
  try {
    for (const c of Object.values(cases)) await load(service, c.path, c.body, 2);
    for (let round = 1; round <= rounds; round++) {
      // Each pair back to back, in alternating order, so a drifting machine load favours neither.
      const order: (keyof typeof cases)[] =
        round % 2 === 1
          ? ['predict', 'oip1', 'oip100', 'batch']
          : ['oip1', 'predict', 'batch', 'oip100'];
      for (const name of order) {
        const c = cases[name];
        const m = await load(service, c.path, c.body, duration);
        failures += m.failures;
        (runs[name] ??= []).push(m.rps);
        (cpu[name] ??= []).push(m.cpuMsPerRequest);
        console.log(
          `round ${round} ${name.padEnd(8)} ${fmt(m.rps, 0)} req/s (${fmt(m.rps * c.rows, 0)} rows/s), server cpu ${fmt(m.cpuMsPerRequest, 3)} ms/req${m.failures ? `, ${m.failures} FAILED` : ''}`,
        );
      }
    }
  } finally {
    await stop(service);
  }
  const med = (name: string): number => median(runs[name]);
  const medCpu = (name: string): number => median(cpu[name]);
  // Each pair ran back to back in every round: the median of the per-round ratios is the judged
  // figure, since it cancels the machine's drift between rounds (a ratio of two medians mixes
  // rounds measured minutes apart); the ratio of the medians is printed beside it.
  const pairRatios = (a: string, b: string): number[] => runs[a].map((v, i) => v / runs[b][i]);
  const oneRatio = median(pairRatios('oip1', 'predict'));
  const batchRatio = median(pairRatios('oip100', 'batch'));
  const roundRatios = (a: string, b: string): string =>
    pairRatios(a, b)
      .map((r) => fmt(r))
      .join(', ');

  const root = mkdtempSync(join(tmpdir(), 'oip-bench-repo-'));
  let repository;
  try {
    writeRepository(root, models);
    const loads: LoadRun[] = [];
    for (let i = 0; i < rounds; i++) loads.push(await timeLoad(root));
    const rss = {
      single: [] as number[],
      repository: [] as number[],
      repositoryWithTables: [] as number[],
    };
    for (let i = 0; i < rounds; i++) {
      // Sampled once the background table builds are surely done (2x their measured time).
      const settle = 1500;
      const single = await startServiceProcess(
        { MODEL_PATH: DEFAULT_MODEL, LOG_LEVEL: 'warn' },
        '/v2/health/ready',
      );
      await new Promise((r) => setTimeout(r, settle));
      rss.single.push(rssMb(single.child.pid));
      await stop(single);
      const repo = await startServiceProcess(
        { MODEL_REPOSITORY: root, LOG_LEVEL: 'warn' },
        '/v2/health/ready',
      );
      await new Promise((r) => setTimeout(r, settle));
      rss.repository.push(rssMb(repo.child.pid));
      // One 100-row batch per model: every model builds its decision tables.
      for (let m = 0; m < models; m++) {
        await fetch(
          `http://${HOST}:${repo.port}/v2/models/model-${String(m).padStart(3, '0')}/infer`,
          { method: 'POST', body: oipBody(rows) },
        );
      }
      await new Promise((r) => setTimeout(r, settle + 100 * models));
      rss.repositoryWithTables.push(rssMb(repo.child.pid));
      await stop(repo);
    }
    const rssRepo = median(rss.repository);
    const rssSingle = median(rss.single);
    repository = {
      models,
      loadSeconds: median(loads.map((l) => l.seconds)),
      loadRuns: loads.map((l) => l.seconds),
      tablesSeconds: median(loads.map((l) => l.tablesSeconds)),
      allLoaded: loads.every((l) => l.loaded === models && l.ready),
      rssMb: rssRepo,
      rssSingleModelMb: rssSingle,
      rssPerExtraModelMb: (rssRepo - rssSingle) / (models - 1),
      rssWithAllTablesMb: median(rss.repositoryWithTables),
      rssTargetMb: RSS_BASE_MB + RSS_PER_MODEL_MB * models,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  console.log(`\nmedians of ${rounds} round(s) at ${CONNECTIONS} connections:`);
  console.log(
    `1 row:    /predict ${fmt(med('predict'), 0)} req/s, OIP infer ${fmt(med('oip1'), 0)} req/s: median per-round ratio ${fmt(oneRatio)} (rounds ${roundRatios('oip1', 'predict')}; ratio of medians ${fmt(med('oip1') / med('predict'))}; target >= ${TARGET_RATIO}: ${oneRatio >= TARGET_RATIO ? 'met' : 'NOT met'}); server cpu/request ${fmt(medCpu('predict'), 3)} vs ${fmt(medCpu('oip1'), 3)} ms (OIP/domain ${fmt(medCpu('oip1') / medCpu('predict'))})`,
  );
  console.log(
    `100 rows: /predict/batch ${fmt(med('batch') * BATCH_ROWS, 0)} rows/s, OIP infer ${fmt(med('oip100') * BATCH_ROWS, 0)} rows/s: median per-round ratio ${fmt(batchRatio)} (rounds ${roundRatios('oip100', 'batch')}; ratio of medians ${fmt(med('oip100') / med('batch'))}; target >= ${TARGET_RATIO}: ${batchRatio >= TARGET_RATIO ? 'met' : 'NOT met'}); server cpu/request ${fmt(medCpu('batch'), 3)} vs ${fmt(medCpu('oip100'), 3)} ms (OIP/domain ${fmt(medCpu('oip100') / medCpu('batch'))})`,
  );
  console.log(
    `repository of ${models} models: load ${fmt(repository.loadSeconds, 3)} s (runs ${repository.loadRuns.map((s) => fmt(s, 3)).join(', ')}; target < ${LOAD_TARGET_S} s: ${repository.loadSeconds < LOAD_TARGET_S ? 'met' : 'NOT met'}; building every model's decision tables would add ${fmt(repository.tablesSeconds, 3)} s: they are built on a model's first batch), service RSS ${fmt(repository.rssMb, 1)} MiB (one model: ${fmt(repository.rssSingleModelMb, 1)} MiB, ${fmt(repository.rssPerExtraModelMb, 2)} MiB per extra model; target <= ${repository.rssTargetMb} MiB: ${repository.rssMb <= repository.rssTargetMb ? 'met' : 'NOT met'}; ${fmt(repository.rssWithAllTablesMb, 1)} MiB once every model scored a batch)${repository.allLoaded ? '' : '; NOT every model loaded'}${failures ? `; ${failures} FAILED requests` : ''}`,
  );
  console.log(
    JSON.stringify({
      benchmark: 'oip',
      node: process.version,
      connections: CONNECTIONS,
      duration,
      rounds,
      rps: Object.fromEntries(Object.keys(cases).map((k) => [k, runs[k]])),
      cpuMsPerRequest: Object.fromEntries(Object.keys(cases).map((k) => [k, cpu[k]])),
      oneRowRatio: oneRatio,
      batchRatio,
      repository,
      failures,
    }),
  );
}

const child = process.argv.indexOf('--load-child');
(child >= 0 ? loadChild(process.argv[child + 1]) : main()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
