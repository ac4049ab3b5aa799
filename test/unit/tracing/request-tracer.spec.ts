// Without an exporter the tracer makes its non-recording spans itself instead of going through
// the SDK's propagator, context and sampler. Here each one is held to what the real SDK (a
// BasicTracerProvider with an always-off sampler, the W3C propagator) makes of the same header.
import { ROOT_CONTEXT, SpanKind, TraceFlags, defaultTextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders } from 'node:http';
import { RequestTracer } from '../../../src/tracing/request-tracer';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

const HEADERS: Record<string, IncomingHttpHeaders> = {
  none: {},
  'valid, sampled': { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
  'valid, not sampled': { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` },
  'a future version with more fields': { traceparent: `01-${TRACE_ID}-${SPAN_ID}-01-what-next` },
  'version ff': { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` },
  'version 00 with more fields': { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01-more` },
  'an all-zero trace id': { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` },
  'an all-zero span id': { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` },
  'upper-case hex': { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` },
  'a short trace id': { traceparent: `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01` },
  'blanks around it': { traceparent: `  00-${TRACE_ID}-${SPAN_ID}-01  ` },
  garbage: { traceparent: 'not a traceparent' },
  empty: { traceparent: '' },
  'repeated, first valid': { traceparent: [`00-${TRACE_ID}-${SPAN_ID}-01`, 'garbage'] },
  'repeated, first invalid': { traceparent: ['garbage', `00-${TRACE_ID}-${SPAN_ID}-01`] },
};

const CONFIG = { enabled: true, otlpTracesUrl: null, serviceName: 'test' };

/** What the SDK itself makes of `headers` when every span is sampled out. */
function sdkSpan(headers: IncomingHttpHeaders) {
  const tracer = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('t');
  const parent = new W3CTraceContextPropagator().extract(
    ROOT_CONTEXT,
    headers,
    defaultTextMapGetter,
  );
  return tracer.startSpan('POST', { kind: SpanKind.SERVER }, parent);
}

describe('RequestTracer without an exporter', () => {
  const tracer = new RequestTracer(CONFIG);

  it.each(Object.entries(HEADERS))('makes the span the SDK makes for %s', (_, headers) => {
    const ours = tracer.start('POST', headers)!;
    const sdk = sdkSpan(headers);
    const [o, s] = [ours.spanContext(), sdk.spanContext()];
    // Ids are random: both continue the caller's trace, or both start a new one.
    expect(o.traceId === TRACE_ID).toBe(s.traceId === TRACE_ID);
    expect(o.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(o.traceId).not.toBe('0'.repeat(32));
    expect(o.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(o.spanId).not.toBe(SPAN_ID);
    expect(o.traceFlags).toBe(s.traceFlags);
    expect(o.traceFlags).toBe(TraceFlags.NONE);
    expect(ours.isRecording()).toBe(sdk.isRecording());
    expect(ours.isRecording()).toBe(false);
    tracer.finish(ours, 'POST', {
      route: '/predict',
      path: '/predict',
      status: 200,
      requestId: 'r',
      modelVersion: undefined,
    });
  });

  it('continues a valid caller trace and starts a new one per request otherwise', () => {
    const valid = HEADERS['valid, sampled'];
    expect(tracer.start('POST', valid)!.spanContext().traceId).toBe(TRACE_ID);
    const a = tracer.start('POST', {})!.spanContext();
    const b = tracer.start('POST', {})!.spanContext();
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.spanId).not.toBe(b.spanId);
  });

  it('makes no span at all when tracing is switched off', () => {
    const off = new RequestTracer({ ...CONFIG, enabled: false });
    expect(off.start('POST', HEADERS['valid, sampled'])).toBeUndefined();
  });
});
