import type { OnApplicationShutdown } from '@nestjs/common';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  defaultTextMapGetter,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator, parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  AlwaysOnSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppConfig } from '../config';
import { PooledIdGenerator } from './pooled-id-generator';

/** What the request observer records on a request's span when the response is done. */
export interface RequestOutcome {
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly requestId: string;
  readonly modelVersion: string | undefined;
}

/**
 * One OpenTelemetry server span per HTTP request (the SDK's `BasicTracerProvider`), continuing
 * the caller's W3C `traceparent` when there is one and starting a new trace otherwise. Its ids
 * go into the request's log line. Spans are exported over OTLP/HTTP (batched, off the request
 * path) only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-specific variable) is set.
 * Otherwise every span would be sampled out, so the tracer skips the SDK's context and sampler
 * machinery and makes the same non-recording span itself: the caller's trace id when its
 * `traceparent` is valid (else a new one), a new span id, flags `NONE`. Ids come from a
 * {@link PooledIdGenerator}. Starting and ending such a span costs about 0.45 µs in a tight
 * loop, against 2.4 µs through the SDK with its `RandomIdGenerator`.
 *
 * No global tracer provider, propagator or async context manager is registered: the service
 * makes no outgoing calls, so the span never needs to be found again through context, and every
 * app instance (the tests start many) keeps its own tracer.
 */
export class RequestTracer implements OnApplicationShutdown {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly ids = new PooledIdGenerator();
  /** False when tracing is switched off (`OTEL_SDK_DISABLED=true`): {@link start} gives nothing. */
  readonly enabled: boolean;
  /** Whether spans leave the process (attributes are only worth recording then). */
  readonly exporting: boolean;

  constructor(config: AppConfig['tracing'], processors?: SpanProcessor[]) {
    this.enabled = config.enabled;
    const spanProcessors =
      processors ??
      (config.otlpTracesUrl === null || !config.enabled
        ? []
        : [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpTracesUrl }))]);
    this.exporting = spanProcessors.length > 0;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      spanProcessors,
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      idGenerator: this.ids,
    });
    this.tracer = this.provider.getTracer('ml-anomaly-api');
  }

  /** Starts the server span of a request, as a child of its `traceparent` if valid. */
  start(method: string, headers: IncomingHttpHeaders): Span | undefined {
    if (!this.enabled) return undefined;
    if (!this.exporting) return this.unsampledSpan(headers.traceparent);
    const parent =
      headers.traceparent === undefined
        ? ROOT_CONTEXT
        : this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    return this.tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
  }

  /**
   * The non-recording span the SDK would start under an always-off sampler: the parent's trace
   * id when `traceparent` parses to a valid span context, a new span id, not sampled.
   */
  private unsampledSpan(header: string | string[] | undefined): Span {
    // As the W3C propagator reads it: the first of repeated headers.
    const traceparent = Array.isArray(header) ? header[0] : header;
    // parseTraceParent gives null for anything not a valid context (zero ids included).
    const parent = typeof traceparent === 'string' ? parseTraceParent(traceparent) : null;
    return trace.wrapSpanContext({
      traceId: parent?.traceId ?? this.ids.generateTraceId(),
      spanId: this.ids.generateSpanId(),
      traceFlags: TraceFlags.NONE,
    });
  }

  /** Names the span after the matched route, records the outcome (when exporting) and ends it. */
  finish(span: Span, method: string, outcome: RequestOutcome): void {
    if (this.exporting) {
      span.updateName(`${method} ${outcome.route}`);
      span.setAttributes({
        'http.request.method': method,
        'http.route': outcome.route,
        'url.path': outcome.path,
        'http.response.status_code': outcome.status,
        'request.id': outcome.requestId,
      });
      if (outcome.modelVersion !== undefined) {
        span.setAttribute('model.version', outcome.modelVersion);
      }
      if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** Sends the spans still queued (Nest calls this on `app.close()`). */
  async onApplicationShutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
