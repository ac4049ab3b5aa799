/**
 * `npm run bench:gateway`: what the Spring Boot gateway and tracing cost, each against its
 * baseline in the same run, on 127.0.0.1.
 *
 * 1. Tracing: two service processes (`dist/main.js`, default model, request logging on), one
 *    with tracing as shipped (a span per request continuing `traceparent`, no exporter) and one
 *    with `OTEL_SDK_DISABLED=true`, started afresh each round; `POST /predict` with a
 *    `traceparent` header at 1 and 16 connections, in alternating 1 s slices. Target: traced
 *    req/s >= 0.95x untraced.
 * 2. The gateway (`gateway/target/anomaly-gateway.jar`, JDK on PATH) in front of a third
 *    service process (traced, as shipped): `POST /api/v1/anomalies` against the same row sent to the service directly
 *    (`POST /predict` by feature names, with the API key), at 1 and 16 connections,
 *    interleaved. Reports p50/p99 of both and the added latency; target: p50 overhead < 1 ms at
 *    1 connection. The gateway's RSS (VmRSS, Linux) is sampled every 100 ms under that load.
 *
 * Load comes from wrk (Debian package `wrk`, one thread), not autocannon: against the gateway
 * (Tomcat) autocannon's per-response latencies disagreed with its own request count (4,768
 * requests over one connection in 5 s, about 1 ms each, yet a p50 of 21 ms), while wrk's
 * percentiles agree with its count on every case.
 *
 * Medians of `--rounds` (default 5) interleaved rounds (the tracing ratio is the median of the
 * per-round ratios; each service's CPU time per request is printed beside it, a measure the
 * machine's noise moves less than throughput); a JSON line closes the output.
 * Usage: node dist/bench/gateway.bench.js [--duration 5] [--rounds 5] [--warmup 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasWrk, runWrk, type WrkResult } from './wrk';
import {
  benchArg as arg,
  cpuMs,
  freePort,
  median,
  rssMiB,
  startService,
  stopService,
  waitReady,
  type ServiceProcess,
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
 * Runs `a` and `b` in 1 s slices, alternating (A B, B A, ... or B A, A B, ... when `aFirst` is
 * false) for `durationS` slices each: the host's drift (steal time on a shared VM moved whole
 * 5 s cases by 10-20%) then falls on both sides alike.
 */
async function paired(
  connections: number,
  a: Case,
  b: Case,
  aFirst: boolean,
  durationS: number,
): Promise<[Measured, Measured]> {
  const slices = new Map<Case, Measured[]>([
    [a, []],
    [b, []],
  ]);
  for (let k = 0; k < durationS; k++) {
    const order = (k % 2 === 0) === aFirst ? [a, b] : [b, a];
    for (const c of order) slices.get(c)!.push(await load(c, connections, 1));
  }
  return [pooled(slices.get(a)!), pooled(slices.get(b)!)];
}

async function main(): Promise<void> {
  const duration = arg('duration', 5, 30);
  const rounds = Math.round(arg('rounds', 5, 9));
  const warmup = arg('warmup', 60, 300);
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run \`mvn -f gateway package\``);
  if (!hasWrk()) throw new Error('wrk is missing: apt-get install wrk');

  // The gateway gets a service of its own, so its warm-up and pooled connections never weigh on
  // one side of the tracing ratio. The tracing pair is started afresh each round (see below).
  const backend = await startService({ API_KEY, LOG_LEVEL: 'info' });
  const gateway = await startGateway(backend.base);
  const procs: { readonly child: ChildProcess }[] = [backend, gateway];
  const row = { cpu_usage: 2.1, memory_load: 2.1 };
  const tracingCase = (service: ServiceProcess): Case => ({
    pid: service.child.pid,
    url: `${service.base}/predict`,
    body: JSON.stringify({ data: [2.1, 2.1] }),
    headers: { 'x-api-key': API_KEY, traceparent: TRACEPARENT },
  });
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
      `node ${process.version}; ${duration}s per case, ${rounds} round(s), ${warmup}s gateway warm-up; 127.0.0.1 only`,
    );
    // The JVM needs its JIT warm; the Node services a little.
    await load(viaGateway, 4, warmup);
    await load(direct, 16, 5);
    const runs: Record<string, Measured[]> = {};
    const record = (name: string, connections: number, round: number, m: Measured) => {
      (runs[`${name}@${connections}`] ??= []).push(m);
      console.log(
        `round ${round} ${name.padEnd(8)} c=${String(connections).padStart(2)}: ${fmt(m.rps, 0)} req/s, p50 ${fmt(m.p50, 3)} ms, p99 ${fmt(m.p99, 3)} ms, cpu ${fmt(m.cpuMsPerRequest, 3)} ms/req${m.failures ? `, ${m.failures} FAILED` : ''}`,
      );
    };
    // Each round starts a fresh tracing pair: on this VM two processes running the same code
    // differ by a few percent for their whole life (where the kernel put them), so a pair kept
    // for every round would carry one draw of that into every ratio. The pair's start order and
    // the order of the cases alternate from round to round, and the load pauses after the
    // gateway's case, so no case always runs right after the JVM was busy.
    for (let round = 1; round <= rounds; round++) {
      const odd = round % 2 === 1;
      const tracedEnv = { API_KEY, LOG_LEVEL: 'info' };
      const untracedEnv = { ...tracedEnv, OTEL_SDK_DISABLED: 'true' };
      const first = await startService(odd ? tracedEnv : untracedEnv);
      const second = await startService(odd ? untracedEnv : tracedEnv);
      procs.push(first, second);
      const [traced, untraced] = (odd ? [first, second] : [second, first]).map(tracingCase);
      for (const c of [traced, untraced]) await load(c, 16, 2);
      for (const connections of CONNECTIONS) {
        const [t, u] = await paired(connections, traced, untraced, odd, duration);
        record('traced', connections, round, t);
        record('untraced', connections, round, u);
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
      await Promise.all([stopService(first), stopService(second)]);
    }
    const med = (key: string) => ({
      rps: median(runs[key].map((r) => r.rps)),
      p50: median(runs[key].map((r) => r.p50)),
      p99: median(runs[key].map((r) => r.p99)),
      cpuMsPerRequest: median(runs[key].map((r) => r.cpuMsPerRequest)),
      failures: runs[key].reduce((n, r) => n + r.failures, 0),
    });
    const summary: Record<string, unknown> = { rounds, duration };
    console.log(`\nmedians of ${rounds} rounds`);
    for (const c of CONNECTIONS) {
      const t = med(`traced@${c}`);
      const u = med(`untraced@${c}`);
      const d = med(`direct@${c}`);
      const g = med(`gateway@${c}`);
      // The pair ran back to back in each round: the median of the per-round ratios cancels the
      // machine's drift between rounds, which a ratio of two medians does not.
      const roundRatios = runs[`traced@${c}`].map((r, i) => r.rps / runs[`untraced@${c}`][i].rps);
      const ratio = median(roundRatios);
      console.log(
        `c=${String(c).padStart(2)} tracing: ${fmt(t.rps, 0)} vs ${fmt(u.rps, 0)} req/s untraced; median per-round ratio ${fmt(ratio, 3)}x (rounds ${roundRatios.map((r) => fmt(r, 2)).join(', ')}; target >= ${TARGETS.tracedRpsRatio}: ${ratio >= TARGETS.tracedRpsRatio ? 'met' : 'NOT met'}); p50 ${fmt(t.p50, 3)} vs ${fmt(u.p50, 3)} ms; server cpu ${fmt(t.cpuMsPerRequest, 3)} vs ${fmt(u.cpuMsPerRequest, 3)} ms/req (${fmt(t.cpuMsPerRequest / u.cpuMsPerRequest, 3)}x)`,
      );
      console.log(
        `c=${String(c).padStart(2)} gateway: p50 ${fmt(g.p50, 3)} ms vs ${fmt(d.p50, 3)} direct (+${fmt(g.p50 - d.p50, 3)} ms), p99 ${fmt(g.p99, 3)} vs ${fmt(d.p99, 3)} (+${fmt(g.p99 - d.p99, 3)} ms); ${fmt(g.rps, 0)} vs ${fmt(d.rps, 0)} req/s${c === 1 ? ` (target p50 overhead < ${TARGETS.gatewayP50OverheadMsAt1} ms)` : ''}`,
      );
      summary[`c${c}`] = { traced: t, untraced: u, tracedRpsRatio: ratio, direct: d, gateway: g };
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
