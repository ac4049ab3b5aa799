/**
 * `npm run bench:gateway`: what the Spring Boot gateway and tracing cost, each against its
 * baseline in the same run, on 127.0.0.1.
 *
 * 1. Tracing, before the JVM starts: `--tracing-rounds` (default 8) rounds, each with a fresh
 *    pair of service processes (`dist/main.js`, default model, request logging on), one with
 *    tracing as shipped (a span per request continuing `traceparent`, no exporter) and one with
 *    `OTEL_SDK_DISABLED=true`, then a fresh control pair of two untraced processes measured the
 *    same way. `POST /predict` with a `traceparent` header at 1 and 16 connections, in
 *    alternating 1 s slices (`--slices` per case, default 4). Target: traced req/s >= 0.95x
 *    untraced (median of the per-round ratios). The control pair shows what the method reads
 *    as a difference where there is none: on this VM two processes running the same code
 *    differ by several percent for their whole life, which is why every round starts afresh and
 *    the start order alternates. With taskset and two CPUs both services run on the last CPU
 *    and wrk on the first, so the scheduler never puts a server beside its load generator.
 * 2. The gateway (`gateway/target/anomaly-gateway.jar`, JDK on PATH) in front of a service
 *    process of its own (traced, as shipped): `POST /api/v1/anomalies` against the same row sent
 *    to the service directly (`POST /predict` by feature names, with the API key), at 1 and 16
 *    connections, interleaved, `--rounds` (default 5) rounds of `--duration` seconds per case.
 *    Reports p50/p99 of both and the added latency; target: p50 overhead < 1 ms at 1
 *    connection. The gateway's RSS (VmRSS, Linux) is sampled every 100 ms under that load.
 *
 * Load comes from wrk (Debian package `wrk`, one thread), not autocannon: against the gateway
 * (Tomcat) autocannon's per-response latencies disagreed with its own request count (4,768
 * requests over one connection in 5 s, about 1 ms each, yet a p50 of 21 ms), while wrk's
 * percentiles agree with its count on every case.
 *
 * Each service's CPU time per request is printed beside its throughput; a JSON line closes the
 * output.
 * Usage: node dist/bench/gateway.bench.js [--tracing-rounds 8] [--slices 4] [--duration 5]
 * [--rounds 5] [--warmup 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasWrk, runWrk, type WrkResult } from './wrk';
import {
  benchArg as arg,
  cpuMs,
  cpuPlan,
  pinProcess,
  freePort,
  median,
  rssMiB,
  startService,
  stopService,
  waitReady,
  BENCH_HOST as HOST,
} from './support';

const CONNECTIONS = [1, 16] as const;
const API_KEY = 'bench-api-key-0123456789abcdef';
const JAR = 'gateway/target/anomaly-gateway.jar';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TARGETS = { tracedRpsRatio: 0.95, gatewayP50OverheadMsAt1: 1 };

interface Proc {
  readonly child: ChildProcess;
  readonly base: string;
}

async function startGateway(serviceBase: string): Promise<Proc> {
  const port = await freePort(HOST);
  const child = spawn(
    'java',
    ['-jar', JAR, `--server.port=${port}`, '--server.address=127.0.0.1'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ANOMALY_SERVICE_BASE_URL: serviceBase,
        ANOMALY_SERVICE_API_KEY: API_KEY,
        LOGGING_LEVEL_ROOT: 'WARN',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://${HOST}:${port}`;
  await waitReady(`${base}/actuator/health`, () => child.exitCode === null);
  return { child, base };
}

const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** A load case: where wrk posts, and the process whose CPU time it costs. */
interface Case {
  readonly pid: number | undefined;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** CPUs wrk runs on (see {@link cpuPlan}); anywhere when absent. */
  readonly cpus?: string;
}

type Measured = WrkResult & { readonly cpuMsPerRequest: number };

/** Runs one case with wrk (one thread) and adds the server's CPU time per request. */
async function load(c: Case, connections: number, durationS: number): Promise<Measured> {
  const before = cpuMs(c.pid);
  const m = await runWrk({ ...c, connections, durationS, threads: 1 });
  return { ...m, cpuMsPerRequest: (cpuMs(c.pid) - before) / m.requests };
}

/** Slices of one case taken as one: requests and CPU summed, rates averaged, latencies medians. */
function pooled(slices: readonly Measured[]): Measured {
  const requests = slices.reduce((n, m) => n + m.requests, 0);
  return {
    requests,
    rps: slices.reduce((n, m) => n + m.rps, 0) / slices.length,
    p50: median(slices.map((m) => m.p50)),
    p99: median(slices.map((m) => m.p99)),
    failures: slices.reduce((n, m) => n + m.failures, 0),
    cpuMsPerRequest: slices.reduce((n, m) => n + m.cpuMsPerRequest * m.requests, 0) / requests,
  };
}

/**
 * Runs `a` and `b` in `slices` 1 s slices each, alternating (A B, B A, ... or B A, A B, ... when
 * `aFirst` is false): the host's drift (steal time on a shared VM moved whole 5 s cases by
 * 10-20%) then falls on both sides alike.
 */
async function paired(
  connections: number,
  a: Case,
  b: Case,
  aFirst: boolean,
  slices: number,
): Promise<[Measured, Measured]> {
  const measured = new Map<Case, Measured[]>([
    [a, []],
    [b, []],
  ]);
  for (let k = 0; k < slices; k++) {
    const order = (k % 2 === 0) === aFirst ? [a, b] : [b, a];
    for (const c of order) measured.get(c)!.push(await load(c, connections, 1));
  }
  return [pooled(measured.get(a)!), pooled(measured.get(b)!)];
}

/** What the tracing phase compares: the service as shipped against tracing switched off. */
const TRACED_ENV = { API_KEY, LOG_LEVEL: 'info' };
const UNTRACED_ENV = { ...TRACED_ENV, OTEL_SDK_DISABLED: 'true' };

/** One round of a pair: per connection count, the first case's and the second's result. */
type PairRound = ReadonlyMap<number, readonly [Measured, Measured]>;

/**
 * Starts a fresh pair of services (`envA` first when `aFirst`, else `envB` first), pins both to
 * the service CPU when there is a plan, warms each for 2 s, then measures them at every
 * connection count in alternating 1 s slices ({@link paired}) and stops them.
 */
async function pairRound(
  envA: Readonly<Record<string, string>>,
  envB: Readonly<Record<string, string>>,
  aFirst: boolean,
  slices: number,
  plan: ReturnType<typeof cpuPlan>,
): Promise<PairRound> {
  const first = await startService(aFirst ? envA : envB);
  const second = await startService(aFirst ? envB : envA);
  try {
    const [a, b] = (aFirst ? [first, second] : [second, first]).map((service): Case => ({
      pid: service.child.pid,
      url: `${service.base}/predict`,
      body: JSON.stringify({ data: [2.1, 2.1] }),
      headers: { 'x-api-key': API_KEY, traceparent: TRACEPARENT },
      cpus: plan?.load,
    }));
    if (plan) for (const c of [a, b]) pinProcess(c.pid, plan.service);
    for (const c of aFirst ? [a, b] : [b, a]) await load(c, 16, 2);
    const result = new Map<number, readonly [Measured, Measured]>();
    for (const connections of CONNECTIONS) {
      result.set(connections, await paired(connections, a, b, aFirst, slices));
    }
    return result;
  } finally {
    await Promise.all([stopService(first), stopService(second)]);
  }
}

/** The geometric mean of positive ratios. */
const geomean = (xs: readonly number[]): number =>
  Math.exp(xs.reduce((n, x) => n + Math.log(x), 0) / xs.length);

/**
 * Phase 1, before the JVM starts: `rounds` fresh traced/untraced pairs, each followed by a
 * control pair of two untraced services measured the same way (what the method reads as a
 * difference when there is none). Start order alternates from round to round.
 */
async function measureTracing(
  rounds: number,
  slices: number,
  plan: ReturnType<typeof cpuPlan>,
): Promise<Record<string, unknown>> {
  // Per connection count: the traced/untraced and control ratios, and CPU per request, by round.
  const series: Record<string, number[]> = {};
  const add = (key: string, v: number) => (series[key] ??= []).push(v);
  for (let round = 1; round <= rounds; round++) {
    const aFirst = round % 2 === 1;
    const tracing = await pairRound(TRACED_ENV, UNTRACED_ENV, aFirst, slices, plan);
    const control = await pairRound(UNTRACED_ENV, UNTRACED_ENV, aFirst, slices, plan);
    for (const connections of CONNECTIONS) {
      const [t, u] = tracing.get(connections)!;
      const [x, y] = control.get(connections)!;
      add(`ratio@${connections}`, t.rps / u.rps);
      add(`control@${connections}`, x.rps / y.rps);
      add(`tracedCpu@${connections}`, t.cpuMsPerRequest);
      add(`untracedCpu@${connections}`, u.cpuMsPerRequest);
      console.log(
        `round ${round} c=${String(connections).padStart(2)}: traced ${fmt(t.rps, 0)} vs untraced ${fmt(u.rps, 0)} req/s (${fmt(t.rps / u.rps, 3)}x; cpu ${fmt(t.cpuMsPerRequest, 3)} vs ${fmt(u.cpuMsPerRequest, 3)} ms/req); control ${fmt(x.rps, 0)} vs ${fmt(y.rps, 0)} (${fmt(x.rps / y.rps, 3)}x)`,
      );
    }
  }
  const summary: Record<string, unknown> = {};
  console.log(`\ntracing: medians of ${rounds} rounds`);
  for (const connections of CONNECTIONS) {
    const traced = series[`ratio@${connections}`];
    const control = series[`control@${connections}`];
    const ratio = median(traced);
    const spread = Math.max(...control.map((r) => Math.abs(Math.log(r))));
    const tCpu = median(series[`tracedCpu@${connections}`]);
    const uCpu = median(series[`untracedCpu@${connections}`]);
    console.log(
      `c=${String(connections).padStart(2)} tracing: median per-round ratio ${fmt(ratio, 3)}x, geometric mean ${fmt(geomean(traced), 3)}x (rounds ${traced.map((r) => fmt(r, 2)).join(', ')}; target >= ${TARGETS.tracedRpsRatio}: ${ratio >= TARGETS.tracedRpsRatio ? 'met' : 'NOT met'}); server cpu ${fmt(tCpu, 3)} vs ${fmt(uCpu, 3)} ms/req; control (untraced vs untraced) median ${fmt(median(control), 3)}x, geometric mean ${fmt(geomean(control), 3)}x, widest round ${fmt(Math.exp(spread), 3)}x either way`,
    );
    summary[`c${connections}`] = {
      tracedRpsRatio: ratio,
      tracedRpsRatioGeomean: geomean(traced),
      roundRatios: traced,
      controlRatios: control,
      cpuMsPerRequest: { traced: tCpu, untraced: uCpu },
    };
  }
  return summary;
}

async function main(): Promise<void> {
  const duration = arg('duration', 5, 30);
  const rounds = Math.round(arg('rounds', 5, 9));
  const tracingRounds = Math.round(arg('tracing-rounds', 8, 20));
  const slices = Math.round(arg('slices', 4, 30));
  const warmup = arg('warmup', 60, 300);
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run \`mvn -f gateway package\``);
  if (!hasWrk()) throw new Error('wrk is missing: apt-get install wrk');
  const plan = cpuPlan();
  console.log(
    `node ${process.version}; 127.0.0.1 only; ${
      plan
        ? `tracing pairs pinned to CPU ${plan.service}, their wrk to CPU ${plan.load}`
        : 'not pinned (needs taskset and two CPUs)'
    }`,
  );
  console.log(
    `phase 1, tracing: ${tracingRounds} rounds of a fresh traced/untraced pair and a fresh control pair, ${slices} 1 s slices per case and connection count`,
  );
  const summary: Record<string, unknown> = {
    rounds,
    duration,
    tracing: await measureTracing(tracingRounds, slices, plan),
  };

  // The gateway gets a service of its own, so its warm-up and pooled connections never weigh on
  // the direct case's numbers.
  const backend = await startService({ API_KEY, LOG_LEVEL: 'info' });
  const gateway = await startGateway(backend.base);
  const procs: { readonly child: ChildProcess }[] = [backend, gateway];
  const row = { cpu_usage: 2.1, memory_load: 2.1 };
  const direct: Case = {
    pid: backend.child.pid,
    url: `${backend.base}/predict`,
    body: JSON.stringify({ features: row }),
    headers: { 'x-api-key': API_KEY },
  };
  const viaGateway: Case = {
    pid: gateway.child.pid,
    url: `${gateway.base}/api/v1/anomalies`,
    body: JSON.stringify(row),
    headers: {},
  };
  const rss: number[] = [];
  try {
    console.log(
      `\nphase 2, gateway: ${duration}s per case, ${rounds} round(s), ${warmup}s gateway warm-up`,
    );
    // The JVM needs its JIT warm; the Node service a little.
    await load(viaGateway, 4, warmup);
    await load(direct, 16, 5);
    const runs: Record<string, Measured[]> = {};
    const record = (name: string, connections: number, round: number, m: Measured) => {
      (runs[`${name}@${connections}`] ??= []).push(m);
      console.log(
        `round ${round} ${name.padEnd(8)} c=${String(connections).padStart(2)}: ${fmt(m.rps, 0)} req/s, p50 ${fmt(m.p50, 3)} ms, p99 ${fmt(m.p99, 3)} ms, cpu ${fmt(m.cpuMsPerRequest, 3)} ms/req${m.failures ? `, ${m.failures} FAILED` : ''}`,
      );
    };
    // The order of the cases alternates from round to round, and the load pauses after the
    // gateway's case, so no case always runs right after the JVM was busy.
    for (let round = 1; round <= rounds; round++) {
      const odd = round % 2 === 1;
      for (const connections of CONNECTIONS) {
        for (const name of odd ? ['direct', 'gateway'] : ['gateway', 'direct']) {
          if (name === 'direct') {
            record(name, connections, round, await load(direct, connections, duration));
            continue;
          }
          const sampler = setInterval(() => rss.push(rssMiB(gateway.child.pid)), 100);
          const m = await load(viaGateway, connections, duration);
          clearInterval(sampler);
          await new Promise((r) => setTimeout(r, 3000));
          record(name, connections, round, m);
        }
      }
    }
    const med = (key: string) => ({
      rps: median(runs[key].map((r) => r.rps)),
      p50: median(runs[key].map((r) => r.p50)),
      p99: median(runs[key].map((r) => r.p99)),
      cpuMsPerRequest: median(runs[key].map((r) => r.cpuMsPerRequest)),
      failures: runs[key].reduce((n, r) => n + r.failures, 0),
    });
    console.log(`\ngateway: medians of ${rounds} rounds`);
    for (const c of CONNECTIONS) {
      const d = med(`direct@${c}`);
      const g = med(`gateway@${c}`);
      console.log(
        `c=${String(c).padStart(2)} gateway: p50 ${fmt(g.p50, 3)} ms vs ${fmt(d.p50, 3)} direct (+${fmt(g.p50 - d.p50, 3)} ms), p99 ${fmt(g.p99, 3)} vs ${fmt(d.p99, 3)} (+${fmt(g.p99 - d.p99, 3)} ms); ${fmt(g.rps, 0)} vs ${fmt(d.rps, 0)} req/s${c === 1 ? ` (target p50 overhead < ${TARGETS.gatewayP50OverheadMsAt1} ms)` : ''}`,
      );
      summary[`c${c}`] = { direct: d, gateway: g };
    }
    const sorted = rss.filter(Number.isFinite).sort((a, b) => a - b);
    const rssSummary = { medianMiB: median(sorted), maxMiB: sorted[sorted.length - 1] };
    console.log(
      `gateway RSS under load: median ${fmt(rssSummary.medianMiB, 0)} MiB, max ${fmt(rssSummary.maxMiB, 0)} MiB (${sorted.length} samples)`,
    );
    summary.gatewayRss = rssSummary;
    console.log(JSON.stringify(summary));
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
