import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../src/artifact';
import { hit, startLoad, stopAllLoads, type Hit } from '../helpers/http-load';
import { trainArtifact } from '../helpers/model-files';
import {
  ensureBuilt,
  eventually,
  spawnService,
  type ServiceProcess,
} from '../helpers/service-process';
import { TempModelDir } from '../helpers/temp-model-dir';
import { DEFAULT_MODEL } from '../helpers/test-app';

const ADMIN_TOKEN = 'workers-e2e-admin-token-0123456789';
const BASE_ENV = {
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  WORKERS: '2',
  ADMIN_TOKEN,
};
const NORMAL = JSON.stringify({ data: [2.1, 2.1] });
const TIMEOUT = 90_000;

const predict = (url: string): Promise<Hit> =>
  hit(url, '/predict', { method: 'POST', body: NORMAL });
const reload = (url: string): Promise<Hit> =>
  hit(url, '/model/reload', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });

/** Pids of the pool's serving workers, from the primary's "worker serving" lines. */
function servingPids(s: ServiceProcess): number[] {
  return s.logs.filter((l) => l.msg === 'worker serving').map((l) => l.workerPid as number);
}

/** Starts the compiled service with WORKERS=2 and waits until readiness says both serve. */
async function startPool(
  env: Record<string, string>,
): Promise<{ s: ServiceProcess; url: string; workers: number[] }> {
  const s = spawnService({ ...BASE_ENV, ...env });
  // Two workers boot on a shared 2-core machine: allow them 30 s.
  const line = await eventually(() => s.logs.find((l) => typeof l.port === 'number'), 600);
  const url = `http://127.0.0.1:${line.port as number}`;
  await eventually(async () => {
    const res = await hit(url, '/health/ready');
    return res.status === 200 ? res : undefined;
  }, 600);
  const workers = await eventually(() => {
    const pids = servingPids(s);
    return pids.length === 2 ? pids : undefined;
  }, 100);
  return { s, url, workers };
}

/** The pid that served each request id, from the request log lines. */
async function pidsOf(s: ServiceProcess, hits: readonly Hit[]): Promise<Map<string, number>> {
  const wanted = new Set(hits.map((h) => h.id));
  // Log lines are buffered up to a second per process.
  return eventually(() => {
    const byId = new Map<string, number>();
    for (const l of s.logs) {
      if (l.msg === 'request completed' && wanted.has(l.reqId as string)) {
        byId.set(l.reqId as string, l.pid as number);
      }
    }
    return byId.size === wanted.size ? byId : undefined;
  }, 100);
}

/** A sample's value from Prometheus text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('WORKERS=2: the compiled service as a worker pool (dist/main.js)', () => {
  const dir = new TempModelDir();
  const running: ServiceProcess[] = [];

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    await stopAllLoads();
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    dir.remove();
  });

  describe('one pool', () => {
    let pool: { s: ServiceProcess; url: string; workers: number[] };
    const path = dir.copyDefault('pool.json');
    const v1 = decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion;
    /** POST /predict requests this pool answered 200, for the metrics test. */
    let predicted = 0;

    beforeAll(async () => {
      pool = await startPool({ MODEL_PATH: path });
      running.push(pool.s);
    }, TIMEOUT);

    it(
      'the primary serves no request: predictions spread over both workers (log pid)',
      async () => {
        const hits: Hit[] = [];
        for (let i = 0; i < 24; i++) hits.push(await predict(pool.url));
        expect(hits.map((h) => h.status)).toEqual(hits.map(() => 200));
        predicted += hits.length;
        const byId = await pidsOf(pool.s, hits);
        const pids = new Set(byId.values());
        expect([...pids].sort()).toEqual([...pool.workers].sort());
        expect(pids.has(pool.s.child.pid!)).toBe(false);
        for (const pid of pool.workers) {
          expect([...byId.values()].filter((p) => p === pid).length).toBeGreaterThanOrEqual(6);
        }
      },
      TIMEOUT,
    );

    it(
      'readiness reports both workers; GET /model is the same from every worker',
      async () => {
        const ready = await hit(pool.url, '/health/ready');
        expect(ready.body.details.workers).toEqual({ status: 'up', serving: 2, size: 2 });
        const hits: Hit[] = [];
        for (let i = 0; i < 8; i++) hits.push(await hit(pool.url, '/model'));
        const pids = new Set((await pidsOf(pool.s, hits)).values());
        expect(pids.size).toBe(2);
        for (const h of hits) expect(h.body).toEqual(hits[0].body);
        expect(hits[0].body.model_version).toBe(v1);
      },
      TIMEOUT,
    );

    it(
      'a failed reload changes no worker (422, every worker keeps the model)',
      async () => {
        const before = (await hit(pool.url, '/model')).body;
        dir.writeCorrupt('pool.json');
        const res = await reload(pool.url);
        expect(res.status).toBe(422);
        expect(res.body.detail).toMatch(/checksum|invalid/i);
        const hits: Hit[] = [];
        for (let i = 0; i < 8; i++) hits.push(await hit(pool.url, '/model'));
        expect(new Set((await pidsOf(pool.s, hits)).values()).size).toBe(2);
        for (const h of hits) {
          expect(h.body).toEqual({
            ...before,
            last_load: {
              at: expect.any(String),
              trigger: 'api',
              ok: false,
              reason: expect.stringContaining('checksum mismatch'),
            },
          });
          expect(res.body.detail).toContain(h.body.last_load.reason);
          expect(h.body.last_load).toEqual(hits[0].body.last_load);
        }
        const scored: Hit[] = [];
        for (let i = 0; i < 8; i++) scored.push(await predict(pool.url));
        predicted += scored.length;
        for (const h of scored) expect(h.body.model_version).toBe(v1);
      },
      TIMEOUT,
    );

    it(
      'a reload under load: every request sent after the 200 is answered by the new version',
      async () => {
        dir.write('pool.json', trainArtifact({ seed: 7, modelVersion: 'workers-v2' }));
        const load = startLoad(6, () => predict(pool.url));
        await new Promise((r) => setTimeout(r, 400));
        const res = await reload(pool.url);
        const answeredAt = Date.now();
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'reloaded', previous_version: v1 });
        expect(res.body.model.model_version).toBe('workers-v2');
        await new Promise((r) => setTimeout(r, 600));
        const hits = await load.stop();
        predicted += hits.length;
        expect(hits.filter((h) => h.status !== 200)).toEqual([]);
        const after = hits.filter((h) => h.sentAt > answeredAt);
        const before = hits.filter((h) => h.doneAt < answeredAt);
        expect(after.length).toBeGreaterThan(10);
        expect(before.length).toBeGreaterThan(10);
        expect(after.filter((h) => h.body.model_version !== 'workers-v2')).toEqual([]);
        // Both workers answered after the 200, and both on the new version.
        expect(new Set((await pidsOf(pool.s, after)).values()).size).toBe(2);
        const infos: Hit[] = [];
        for (let i = 0; i < 6; i++) infos.push(await hit(pool.url, '/model'));
        for (const h of infos) expect(h.body).toEqual(infos[0].body);
        expect(infos[0].body).toMatchObject({
          model_version: 'workers-v2',
          last_load: { ok: true, trigger: 'api' },
        });
      },
      TIMEOUT,
    );

    it(
      '/metrics sums every worker: request counts equal the requests sent',
      async () => {
        const batch = JSON.stringify({
          data: [
            [2.1, 2.1],
            [-5.5, 5.2],
            [0, 0],
          ],
        });
        const batches: Hit[] = [];
        for (let i = 0; i < 10; i++) {
          batches.push(await hit(pool.url, '/predict/batch', { method: 'POST', body: batch }));
        }
        expect(new Set((await pidsOf(pool.s, batches)).values()).size).toBe(2);
        const text = await (await fetch(`${pool.url}/metrics`)).text();
        const series = (route: string): string =>
          `http_request_duration_seconds_count{method="POST",route="${route}",status_code="200"}`;
        expect(sample(text, series('/predict'))).toBe(predicted);
        expect(sample(text, series('/predict/batch'))).toBe(10);
        expect(sample(text, 'predict_batch_rows_count')).toBe(10);
        expect(
          sample(text, 'predictions_total{model="anomaly-detector",outcome="anomaly"}') +
            sample(text, 'predictions_total{model="anomaly-detector",outcome="normal"}'),
        ).toBe(predicted + 30);
        // One reload counted once (by the primary), not once per worker.
        expect(
          sample(
            text,
            'model_reloads_total{model="anomaly-detector",result="success",trigger="api"}',
          ),
        ).toBe(1);
        expect(
          sample(
            text,
            'model_reloads_total{model="anomaly-detector",result="failure",trigger="api"}',
          ),
        ).toBe(1);
        expect(sample(text, 'model_loaded{model="anomaly-detector"}')).toBe(1);
        expect(sample(text, 'pool_workers_serving')).toBe(2);
        for (const worker of ['1', '2', 'primary']) {
          expect(sample(text, `process_resident_memory_bytes{worker="${worker}"}`)).toBeGreaterThan(
            0,
          );
        }
      },
      TIMEOUT,
    );

    it(
      'SIGHUP to the primary reloads every worker',
      async () => {
        dir.write('pool.json', trainArtifact({ seed: 9, modelVersion: 'workers-v3' }));
        pool.s.child.kill('SIGHUP');
        await eventually(async () => {
          const h = await hit(pool.url, '/model');
          return h.body?.model_version === 'workers-v3' ? h : undefined;
        });
        const infos: Hit[] = [];
        for (let i = 0; i < 6; i++) infos.push(await hit(pool.url, '/model'));
        expect(new Set((await pidsOf(pool.s, infos)).values()).size).toBe(2);
        for (const h of infos) {
          expect(h.body).toMatchObject({
            model_version: 'workers-v3',
            last_load: { ok: true, trigger: 'signal' },
          });
        }
      },
      TIMEOUT,
    );
  });

  it(
    'kill -9 of one worker: readiness drops, the worker is replaced, no other request fails',
    async () => {
      const { s, url, workers } = await startPool({ MODEL_PATH: DEFAULT_MODEL });
      running.push(s);
      const clients = 4;
      // A connection the primary was handing to the victim as it died is never answered (Node's
      // round-robin keeps its copy of the socket open): such a request fails by its timeout.
      const load = startLoad(clients, () =>
        hit(url, '/predict', { method: 'POST', body: NORMAL, timeoutMs: 5000 }),
      );
      await new Promise((r) => setTimeout(r, 500));
      const [victim, survivor] = workers;
      const killedAt = Date.now();
      process.kill(victim, 'SIGKILL');
      // Probe readiness (as a load balancer would) until it dropped and came back.
      const probes: Hit[] = [];
      let degraded: Hit | undefined;
      let replaced: Hit | undefined;
      const probeUntil = Date.now() + 60_000;
      while (replaced === undefined && Date.now() < probeUntil) {
        // A probe handed to the victim as it died is never answered: give up on it quickly, so
        // that the next probe (answered by the survivor) sees the pool degraded before the
        // replacement, started 100 ms after the death, is serving.
        const h = await hit(url, '/health/ready', { timeoutMs: 750 });
        probes.push(h);
        if (h.status === 503 && degraded === undefined) degraded = h;
        else if (h.status === 200 && degraded !== undefined) replaced = h;
        else await new Promise((r) => setTimeout(r, 25));
      }
      expect({
        statuses: probes.map((p) => p.status || p.error),
        degraded: degraded?.body?.error?.workers,
      }).toMatchObject({
        degraded: { status: 'down', serving: 1, size: 2 },
      });
      expect(replaced).toBeDefined();
      expect(replaced!.body.details.workers).toEqual({ status: 'up', serving: 2, size: 2 });
      await new Promise((r) => setTimeout(r, 300));
      const hits = await load.stop();
      const died = s.logs.find((l) => l.msg === 'worker died; replacing it');
      expect(died).toMatchObject({ workerPid: victim, signal: 'SIGKILL', code: null });
      // The primary's log lines are buffered up to a second.
      const newcomer = await eventually(() => {
        const fresh = servingPids(s).filter((p) => !workers.includes(p));
        return fresh.length > 0 ? fresh : undefined;
      });
      expect(newcomer).toHaveLength(1);
      // Only what the killed worker had in flight, or was handed before the primary saw it die
      // (node:cluster's round-robin, see README "Workers"), may fail: at most one request per
      // client, each sent before the primary logged the death.
      const failed = hits.filter((h) => h.status !== 200);
      expect(failed.length).toBeLessThanOrEqual(clients);
      const diedAt = (died as { time: number }).time;
      for (const h of failed) expect(h.sentAt).toBeLessThanOrEqual(diedAt);
      const later = hits.filter((h) => h.sentAt > killedAt);
      expect(later.length).toBeGreaterThan(20);
      // Afterwards the survivor and the replacement share the load.
      const tail: Hit[] = [];
      for (let i = 0; i < 12; i++) tail.push(await predict(url));
      expect(tail.every((h) => h.status === 200)).toBe(true);
      expect(new Set((await pidsOf(s, tail)).values())).toEqual(new Set([survivor, newcomer[0]]));
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 0, signal: null });
    },
    TIMEOUT,
  );

  it(
    'SIGTERM under load: readiness 503 at once, nothing cut, exit 0 within SHUTDOWN_GRACE_MS',
    async () => {
      const graceMs = 8000;
      const { s, url } = await startPool({
        MODEL_PATH: DEFAULT_MODEL,
        SHUTDOWN_GRACE_MS: String(graceMs),
      });
      running.push(s);
      // A load balancer: clients send until its readiness probe (every 25 ms) sees the drain.
      let outOfRotation = false;
      const probes: Hit[] = [];
      const probe = (async () => {
        while (!outOfRotation) {
          const h = await hit(url, '/health/ready');
          probes.push(h);
          if (h.status !== 200) outOfRotation = true;
          else await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const load = startLoad(
        6,
        () => predict(url),
        () => outOfRotation,
      );
      await new Promise((r) => setTimeout(r, 600));
      const signalledAt = Date.now();
      s.child.kill('SIGTERM');
      await probe;
      const hits = await load.stop();
      const exit = await s.exited;
      const elapsed = Date.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(elapsed).toBeLessThan(graceMs);
      expect(probes[probes.length - 1]).toMatchObject({ status: 503 });
      expect(probes[probes.length - 1].body.error.shutdown).toEqual({
        status: 'down',
        reason: 'shutting down',
      });
      // Every request sent, including those sent after the signal, got its answer.
      expect(hits.filter((h) => h.status !== 200)).toEqual([]);
      expect(hits.filter((h) => h.sentAt > signalledAt).length).toBeGreaterThan(0);
      expect(hits.length).toBeGreaterThan(20);
      const drained = s.logs.filter((l) => l.msg === 'shutdown: drained and closed');
      expect(new Set(drained.map((l) => l.pid)).size).toBe(2);
      expect(s.logs.find((l) => l.msg === 'shutdown: every worker exited')).toMatchObject({
        exitCodes: [0, 0],
      });
    },
    TIMEOUT,
  );
});
