import { availableParallelism } from 'node:os';
import { MAX_WORKERS } from './is-worker-count.decorator';
import {
  BODY_LIMIT_PATTERN,
  validateEnv,
  type EnvironmentVariables,
  type LogLevel,
} from './env.validation';

/** The typed, validated configuration every module reads (through `ConfigService<AppConfig, true>`). */
export interface AppConfig {
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** Largest accepted request body in bytes. */
    readonly bodyLimitBytes: number;
    /** SIGTERM drain budget in milliseconds. */
    readonly shutdownGraceMs: number;
  };
  readonly model: {
    /** Path of the model file, as configured (relative paths resolve against the working directory). */
    readonly path: string;
    /** Name of the model of {@link path} (version 1), the model the domain API serves. */
    readonly name: string;
    /** The model repository directory, or null to serve {@link path} alone. */
    readonly repository: string | null;
    readonly maxBatchRows: number;
  };
  readonly explain: {
    /** Most rows of a batch with `"explain": true` (`MAX_EXPLAIN_ROWS`). */
    readonly maxRows: number;
    /** Features in `top_features` (`EXPLAIN_TOP_K`). */
    readonly topK: number;
  };
  readonly security: {
    /** Required `X-API-Key` for `/predict*` and `GET /model`, or null when open. */
    readonly apiKey: string | null;
    /** Bearer token for `POST /model/reload`, or null to hide the route. */
    readonly adminToken: string | null;
  };
  /** Per-client request budget, or null when rate limiting is off. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number } | null;
  readonly log: { readonly level: LogLevel };
  /** Live drift monitoring (issue 13). */
  readonly monitoring: {
    /** Rows of the drift window per model; 0 turns the window off. */
    readonly windowRows: number;
    /** Rows needed before a verdict. */
    readonly minRows: number;
    /** PSI above which a feature counts as drifting. */
    readonly psiThreshold: number;
  };
  readonly workers: {
    /**
     * HTTP-serving processes: 1 is a single process (no primary, no IPC); above 1 a primary
     * forks this many workers that share the port. `WORKERS=auto` resolved to the CPU count.
     */
    readonly count: number;
  };
  readonly tracing: {
    /** False when `OTEL_SDK_DISABLED=true`: no spans, no trace ids in log lines. */
    readonly enabled: boolean;
    /** Where spans are exported (OTLP/HTTP), or null: continue traces and log ids only. */
    readonly otlpTracesUrl: string | null;
    /** `service.name` of exported spans. */
    readonly serviceName: string;
  };
}

const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `'2mb'` → 2097152 (binary units, as body-parser's `bytes` reads them). */
export function parseByteSize(text: string): number {
  const m = BODY_LIMIT_PATTERN.exec(text.trim());
  if (!m) throw new RangeError(`not a byte size: ${text}`);
  return Math.floor(Number(m[1]) * UNIT_BYTES[(m[2] ?? 'b').toLowerCase()]);
}

/**
 * Maps validated environment variables to {@link AppConfig}. `cpus` is what `WORKERS=auto`
 * resolves to (`os.availableParallelism()` unless a test says otherwise).
 */
export function toAppConfig(
  env: EnvironmentVariables,
  cpus: number = availableParallelism(),
): AppConfig {
  return Object.freeze({
    http: Object.freeze({
      port: env.PORT,
      host: env.HOST,
      bodyLimitBytes: parseByteSize(env.BODY_LIMIT),
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    }),
    model: Object.freeze({
      path: env.MODEL_PATH,
      name: env.MODEL_NAME,
      repository: env.MODEL_REPOSITORY ?? null,
      maxBatchRows: env.MAX_BATCH_ROWS,
    }),
    explain: Object.freeze({ maxRows: env.MAX_EXPLAIN_ROWS, topK: env.EXPLAIN_TOP_K }),
    security: Object.freeze({ apiKey: env.API_KEY ?? null, adminToken: env.ADMIN_TOKEN ?? null }),
    rateLimit:
      env.RATE_LIMIT_MAX > 0
        ? Object.freeze({ limit: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS })
        : null,
    log: Object.freeze({ level: env.LOG_LEVEL }),
    monitoring: Object.freeze({
      windowRows: env.MONITOR_WINDOW_ROWS,
      minRows: env.MONITOR_MIN_ROWS,
      psiThreshold: env.DRIFT_PSI_THRESHOLD,
    }),
    workers: Object.freeze({
      count: /^auto$/i.test(env.WORKERS)
        ? Math.min(Math.max(1, cpus), MAX_WORKERS)
        : Number(env.WORKERS),
    }),
    tracing: Object.freeze({
      enabled: env.OTEL_SDK_DISABLED !== 'true',
      otlpTracesUrl: otlpTracesUrl(env),
      serviceName: env.OTEL_SERVICE_NAME,
    }),
  });
}

/**
 * The OTLP/HTTP traces URL, as OpenTelemetry's exporter specification derives it: the
 * traces-specific variable as is, else the generic endpoint plus `/v1/traces`.
 */
function otlpTracesUrl(env: EnvironmentVariables): string | null {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  }
  return null;
}

/**
 * Reads and validates the configuration. This is the only place in the service that reads
 * `process.env`; tests pass their own record.
 *
 * @throws ConfigValidationError naming every invalid variable.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppConfig {
  return toAppConfig(validateEnv(env));
}
