import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { IsHost } from './is-host.decorator';
import { IsWorkerCount } from './is-worker-count.decorator';

/**
 * A model name: a URL path segment and a directory name at once (`MODEL_NAME`, repository
 * folders). Starts with a letter or digit, so `.` and `..` are never names.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `BODY_LIMIT` syntax: a byte count with an optional unit (b, kb, mb), as body-parser reads it. */
export const BODY_LIMIT_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i;

/** OTLP endpoints: http(s) URLs; host names without a dot (compose services) are fine. */
const OTLP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/**
 * The service's environment variables with their defaults. Validated once at start-up by
 * {@link validateEnv}; nothing else reads `process.env`.
 */
export class EnvironmentVariables {
  /** TCP port (0 picks a free one). @default 8000 */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  /** Listen address. @default '0.0.0.0' */
  @IsHost()
  HOST = '0.0.0.0';

  /** The model file: a native artifact (`.json`). @default 'model-artifacts/anomaly-detector.json' */
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  MODEL_PATH = 'model-artifacts/anomaly-detector.json';

  /**
   * Name of the model of `MODEL_PATH` (version 1): the name the domain API serves and the Open
   * Inference Protocol routes use. @default 'anomaly-detector'
   */
  @Matches(MODEL_NAME_PATTERN, {
    message:
      'MODEL_NAME must be 1 to 128 characters of A-Za-z0-9._- starting with a letter or digit',
  })
  MODEL_NAME = 'anomaly-detector';

  /**
   * A model repository in Triton's layout, `<dir>/<name>/<version>/<one model file>`: every model
   * found there is served (and `MODEL_PATH` is not). Unset: the model of `MODEL_PATH` alone.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  MODEL_REPOSITORY?: string;

  /** Most rows one `POST /predict/batch` may carry. @default 10000 */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_BATCH_ROWS = 10_000;

  /** Most rows one `POST /predict/batch` with `"explain": true` may carry. @default 1000 */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_EXPLAIN_ROWS = 1_000;

  /** Features listed in an explanation's `top_features`. @default 5 */
  @IsInt()
  @Min(1)
  @Max(10_000)
  EXPLAIN_TOP_K = 5;

  /** Largest accepted request body (bytes, or with a unit: `512kb`, `2mb`). @default '2mb' */
  @Matches(BODY_LIMIT_PATTERN, {
    message: 'BODY_LIMIT must be a size such as 2mb, 512kb or 100000',
  })
  BODY_LIMIT = '2mb';

  /** When set, `/predict*` and `GET /model` require `X-API-Key: <API_KEY>`. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'API_KEY must be printable ASCII without spaces' })
  API_KEY?: string;

  /** When set, `POST /model/reload` requires `Authorization: Bearer <ADMIN_TOKEN>`; unset, it is 404. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'ADMIN_TOKEN must be printable ASCII without spaces' })
  ADMIN_TOKEN?: string;

  /** pino log level. @default 'info' */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Requests allowed per client per window; 0 turns rate limiting off. @default 0 */
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  RATE_LIMIT_MAX = 0;

  /** Rate limit window in milliseconds. @default 60000 */
  @IsInt()
  @Min(1)
  @Max(86_400_000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /** How long a SIGTERM drain may take before the process exits anyway. @default 10000 */
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /**
   * Rows of the live drift window per model (the most recent scored rows, kept as bin counts);
   * 0 turns monitoring off (no window, no drift figures; percentiles still computed).
   * @default 10000
   */
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  MONITOR_WINDOW_ROWS = 10_000;

  /** Rows the window needs before `GET /model/monitoring` gives a verdict. @default 500 */
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  MONITOR_MIN_ROWS = 500;

  /** PSI above which a feature (or the score) counts as drifting. @default 0.2 */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  DRIFT_PSI_THRESHOLD = 0.2;

  /**
   * Processes serving HTTP: an integer, or `auto` for one per available CPU
   * (`os.availableParallelism()`). 1 is a single process; above 1 a primary process forks that
   * many workers sharing the port (see README, "Workers"). @default '1'
   */
  @IsWorkerCount()
  WORKERS = '1';

  /**
   * OpenTelemetry's standard OTLP endpoint: when set, spans are exported over OTLP/HTTP to
   * `<endpoint>/v1/traces`. Unset, traces are only continued and logged, never exported.
   */
  @IsOptional()
  @IsUrl(OTLP_URL, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** OpenTelemetry's traces-only OTLP endpoint (the full URL); wins over the generic one. */
  @IsOptional()
  @IsUrl(OTLP_URL, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** OpenTelemetry's switch: `true` turns tracing off (no spans, no ids in log lines). @default false */
  @IsIn(['true', 'false'])
  OTEL_SDK_DISABLED: 'true' | 'false' = 'false';

  /** `service.name` of exported spans. @default 'ml-anomaly-api' */
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  OTEL_SERVICE_NAME = 'ml-anomaly-api';
}

/** The variables {@link validateEnv} reads; everything else in the environment is ignored. */
export const ENV_KEYS: readonly (keyof EnvironmentVariables)[] = [
  'PORT',
  'HOST',
  'MODEL_PATH',
  'MODEL_NAME',
  'MODEL_REPOSITORY',
  'MAX_BATCH_ROWS',
  'MAX_EXPLAIN_ROWS',
  'EXPLAIN_TOP_K',
  'BODY_LIMIT',
  'API_KEY',
  'ADMIN_TOKEN',
  'LOG_LEVEL',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WINDOW_MS',
  'SHUTDOWN_GRACE_MS',
  'MONITOR_WINDOW_ROWS',
  'MONITOR_MIN_ROWS',
  'DRIFT_PSI_THRESHOLD',
  'WORKERS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_SDK_DISABLED',
];

/** Raised when the environment is invalid; the message names every offending variable. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Values never echoed in error messages. */
const SECRET_KEYS = new Set<string>(['API_KEY', 'ADMIN_TOKEN']);

/** Constraints about a value's type, reported before (and instead of) its range. */
const TYPE_CONSTRAINTS = ['isInt', 'isNumber', 'isString', 'isIn', 'isHost', 'isWorkerCount'];

const INTEGER_KEYS = new Set<string>([
  'PORT',
  'MAX_BATCH_ROWS',
  'MAX_EXPLAIN_ROWS',
  'EXPLAIN_TOP_K',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WINDOW_MS',
  'SHUTDOWN_GRACE_MS',
  'MONITOR_WINDOW_ROWS',
  'MONITOR_MIN_ROWS',
]);

/** Variables read as plain decimal numbers (`0.2`, `1`). */
const DECIMAL_KEYS = new Set<string>(['DRIFT_PSI_THRESHOLD']);

/**
 * Validates the known variables of `env` (empty strings count as unset) and returns them typed,
 * defaults filled in. Integers must be written as plain decimal integers.
 *
 * @throws ConfigValidationError `Invalid environment variables: PORT must not be greater than 65535; ...`
 */
export function validateEnv(
  env: Readonly<Record<string, string | undefined>>,
): EnvironmentVariables {
  const picked: Record<string, unknown> = {};
  for (const key of ENV_KEYS) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    // Strict integers: Number('0x10') or Number(' 8 ') would pass silently.
    picked[key] = INTEGER_KEYS.has(key)
      ? /^-?\d+$/.test(raw)
        ? Number(raw)
        : raw
      : DECIMAL_KEYS.has(key) && /^-?\d+(\.\d+)?$/.test(raw)
        ? Number(raw)
        : raw;
  }
  const parsed = plainToInstance(EnvironmentVariables, picked);
  const errors = validateSync(parsed, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(`Invalid environment variables: ${describe(errors, env)}`);
  }
  return parsed;
}

function describe(errors: readonly ValidationError[], env: EnvRecord): string {
  return errors
    .map((e) => {
      const constraints = e.constraints ?? {};
      // A wrong type makes the range messages noise: report the type first, alone.
      const type = TYPE_CONSTRAINTS.find((name) => name in constraints);
      const text = type ? constraints[type] : Object.values(constraints).join(', ');
      const shown = SECRET_KEYS.has(e.property) ? '' : ` (got ${JSON.stringify(env[e.property])})`;
      return `${text || `${e.property} is invalid`}${shown}`;
    })
    .join('; ');
}
