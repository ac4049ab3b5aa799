import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureBuilt, listeningUrl, spawnService } from '../helpers/service-process';
import {
  DEFAULT_MODEL,
  postJson,
  startTestApp,
  type LogLine,
  type TestApp,
} from '../helpers/test-app';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

/** The request line the service logged for `reqId`. */
function lineOf(app: TestApp, reqId: string): LogLine {
  const line = app.logs().find((l) => l.reqId === reqId && l.msg === 'request completed');
  if (!line) throw new Error(`no request line for ${reqId}`);
  return line;
}

describe('trace context (W3C traceparent) without an exporter', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('continues the caller trace: same trace id, a new span id, in the request log line', async () => {
    const res = await postJson(
      `${app.url}/predict`,
      { data: [-5.5, 5.2] },
      {
        traceparent: TRACEPARENT,
        'x-request-id': 'trace-known',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.prediction_score).toBe(-1);
    const line = lineOf(app, 'trace-known');
    expect(line.trace_id).toBe(TRACE_ID);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(line.span_id).not.toBe(PARENT_SPAN_ID);
  });

  it('starts a new trace when the request has none, or an invalid one', async () => {
    await postJson(`${app.url}/predict`, { data: [2.1, 2.1] }, { 'x-request-id': 'trace-none' });
    await postJson(
      `${app.url}/predict`,
      { data: [2.1, 2.1] },
      {
        'x-request-id': 'trace-bad',
        traceparent: `00-${'0'.repeat(32)}-${PARENT_SPAN_ID}-01`,
      },
    );
    const none = lineOf(app, 'trace-none');
    const bad = lineOf(app, 'trace-bad');
    for (const line of [none, bad]) {
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.trace_id).not.toBe('0'.repeat(32));
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(none.trace_id).not.toBe(bad.trace_id);
  });

  it('puts the ids on error lines too', async () => {
    const res = await postJson(
      `${app.url}/predict`,
      { data: [1] },
      {
        traceparent: TRACEPARENT,
        'x-request-id': 'trace-400',
      },
    );
    expect(res.status).toBe(400);
    expect(lineOf(app, 'trace-400')).toMatchObject({ level: 'warn', trace_id: TRACE_ID });
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('switches tracing off: no trace ids in the request line', async () => {
    const app = await startTestApp({ OTEL_SDK_DISABLED: 'true' });
    try {
      await postJson(
        `${app.url}/predict`,
        { data: [2.1, 2.1] },
        {
          traceparent: TRACEPARENT,
          'x-request-id': 'trace-off',
        },
      );
      const line = lineOf(app, 'trace-off');
      expect(line.status).toBe(200);
      expect(line).not.toHaveProperty('trace_id');
      expect(line).not.toHaveProperty('span_id');
    } finally {
      await app.close();
    }
  });
});

/** A real OTLP/HTTP receiver: records every POSTed JSON body by path. */
async function startCollector(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, bodies };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

// The OTLP exporter loads node:http with a dynamic import(), which jest's module sandbox cannot
// run: the export is tested on the real compiled service process instead.
describe('span export over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  beforeAll(() => ensureBuilt());

  it('sends the request span, child of the caller span, with its route and status', async () => {
    const collector = await startCollector();
    const service = spawnService({
      PORT: '0',
      HOST: '127.0.0.1',
      MODEL_PATH: DEFAULT_MODEL,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'anomaly-under-test',
    });
    try {
      const url = await listeningUrl(service);
      const res = await postJson(
        `${url}/predict`,
        { data: [-5.5, 5.2] },
        {
          traceparent: TRACEPARENT,
          'x-request-id': 'trace-export',
        },
      );
      expect(res.status).toBe(200);
      service.child.kill('SIGTERM'); // the drain closes the app, which flushes the spans
      expect((await service.exited).code).toBe(0);
      const logged = service.logs.find((l) => l.reqId === 'trace-export');
      expect(logged?.trace_id).toBe(TRACE_ID);
      const spans: OtlpSpan[] = [];
      const resources: unknown[] = [];
      for (const body of collector.bodies as {
        resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[];
      }[]) {
        for (const rs of body.resourceSpans) {
          resources.push(rs.resource);
          for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
      }
      const span = spans.find((s) => s.spanId === logged?.span_id);
      expect(span).toMatchObject({
        traceId: TRACE_ID,
        parentSpanId: PARENT_SPAN_ID,
        name: 'POST /predict',
        kind: 2, // SERVER
      });
      const attrs = Object.fromEntries(span!.attributes.map((a) => [a.key, a.value]));
      expect(attrs['http.route']).toEqual({ stringValue: '/predict' });
      expect(attrs['http.response.status_code']).toEqual({ intValue: 200 });
      expect(attrs['request.id']).toEqual({ stringValue: 'trace-export' });
      expect(JSON.stringify(resources)).toContain('anomaly-under-test');
    } finally {
      service.child.kill('SIGKILL');
      await new Promise((resolve) => collector.server.close(resolve));
    }
  });
});
