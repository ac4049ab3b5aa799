import { availableParallelism } from 'node:os';
import {
  ConfigValidationError,
  loadConfig,
  MAX_WORKERS,
  parseByteSize,
  toAppConfig,
  validateEnv,
} from '../../../src/config';

function errorOf(env: Record<string, string>): string {
  try {
    validateEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as Error).message;
  }
  throw new Error('expected validation to fail');
}

describe('validateEnv / loadConfig', () => {
  it('fills the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      http: {
        port: 8000,
        host: '0.0.0.0',
        bodyLimitBytes: 2 * 1024 * 1024,
        shutdownGraceMs: 10_000,
      },
      model: {
        path: 'model-artifacts/anomaly-detector.json',
        name: 'anomaly-detector',
        repository: null,
        maxBatchRows: 10_000,
      },
      explain: { maxRows: 1000, topK: 5 },
      security: { apiKey: null, adminToken: null },
      rateLimit: null,
      log: { level: 'info' },
      monitoring: { windowRows: 10_000, minRows: 500, psiThreshold: 0.2 },
      workers: { count: 1 },
      tracing: { enabled: true, otlpTracesUrl: null, serviceName: 'ml-anomaly-api' },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      MODEL_PATH: '/models/m.json',
      MODEL_NAME: 'cpu-memory.v2',
      MODEL_REPOSITORY: '/models/repository',
      MAX_BATCH_ROWS: '500',
      MAX_EXPLAIN_ROWS: '200',
      EXPLAIN_TOP_K: '3',
      BODY_LIMIT: '512kb',
      API_KEY: 'k'.repeat(16),
      ADMIN_TOKEN: 't'.repeat(20),
      LOG_LEVEL: 'debug',
      RATE_LIMIT_MAX: '100',
      RATE_LIMIT_WINDOW_MS: '1000',
      SHUTDOWN_GRACE_MS: '2500',
      MONITOR_WINDOW_ROWS: '0',
      MONITOR_MIN_ROWS: '100',
      DRIFT_PSI_THRESHOLD: '0.25',
      WORKERS: '4',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_SERVICE_NAME: 'anomaly-eu',
    });
    expect(config).toEqual({
      http: { port: 9000, host: '127.0.0.1', bodyLimitBytes: 512 * 1024, shutdownGraceMs: 2500 },
      model: {
        path: '/models/m.json',
        name: 'cpu-memory.v2',
        repository: '/models/repository',
        maxBatchRows: 500,
      },
      explain: { maxRows: 200, topK: 3 },
      security: { apiKey: 'k'.repeat(16), adminToken: 't'.repeat(20) },
      rateLimit: { limit: 100, windowMs: 1000 },
      log: { level: 'debug' },
      monitoring: { windowRows: 0, minRows: 100, psiThreshold: 0.25 },
      workers: { count: 4 },
      tracing: {
        enabled: true,
        otlpTracesUrl: 'http://collector:4318/v1/traces',
        serviceName: 'anomaly-eu',
      },
    });
  });

  it('WORKERS=auto is one worker per available CPU (at most MAX_WORKERS)', () => {
    expect(toAppConfig(validateEnv({ WORKERS: 'auto' }), 6).workers.count).toBe(6);
    expect(toAppConfig(validateEnv({ WORKERS: 'AUTO' }), 1).workers.count).toBe(1);
    expect(toAppConfig(validateEnv({ WORKERS: 'auto' }), 1000).workers.count).toBe(MAX_WORKERS);
    expect(loadConfig({ WORKERS: 'auto' }).workers.count).toBe(availableParallelism());
  });

  it('takes the traces-specific OTLP endpoint as the full URL, over the generic one', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/spans',
    });
    expect(config.tracing.otlpTracesUrl).toBe('https://traces.example.com/otlp/spans');
  });

  it('refuses an OTLP endpoint that is not an http(s) URL', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "collector:4318")',
    );
  });

  it('treats empty strings as unset and ignores unknown variables', () => {
    const config = loadConfig({ PORT: '', API_KEY: '', SOMETHING_ELSE: 'x' });
    expect(config.http.port).toBe(8000);
    expect(config.security.apiKey).toBeNull();
  });

  it.each([
    ['PORT', 'eighty', 'PORT must be an integer number (got "eighty")'],
    ['PORT', '0x1F90', 'PORT must be an integer number (got "0x1F90")'],
    ['PORT', '80.5', 'PORT must be an integer number'],
    ['PORT', '70000', 'PORT must not be greater than 65535'],
    ['HOST', 'bad host', 'HOST must be an IP address or a host name'],
    ['MAX_BATCH_ROWS', '0', 'MAX_BATCH_ROWS must not be less than 1'],
    ['MODEL_NAME', '..', 'MODEL_NAME must be 1 to 128 characters of A-Za-z0-9._-'],
    ['MODEL_NAME', 'a/b', 'MODEL_NAME must be 1 to 128 characters of A-Za-z0-9._-'],
    ['BODY_LIMIT', '2 gigabytes', 'BODY_LIMIT must be a size such as 2mb'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of the following values'],
    ['RATE_LIMIT_MAX', '-1', 'RATE_LIMIT_MAX must not be less than 0'],
    ['RATE_LIMIT_WINDOW_MS', '0', 'RATE_LIMIT_WINDOW_MS must not be less than 1'],
    ['SHUTDOWN_GRACE_MS', 'soon', 'SHUTDOWN_GRACE_MS must be an integer number'],
    ['MONITOR_WINDOW_ROWS', '-5', 'MONITOR_WINDOW_ROWS must not be less than 0'],
    ['MONITOR_MIN_ROWS', '0', 'MONITOR_MIN_ROWS must not be less than 1'],
    ['DRIFT_PSI_THRESHOLD', 'high', 'DRIFT_PSI_THRESHOLD must be a number'],
    ['DRIFT_PSI_THRESHOLD', '1e-1', 'DRIFT_PSI_THRESHOLD must be a number'],
    ['WORKERS', '0', 'WORKERS must be auto or an integer from 1 to 256'],
    ['WORKERS', '-2', 'WORKERS must be auto or an integer from 1 to 256'],
    ['WORKERS', '257', 'WORKERS must be auto or an integer from 1 to 256'],
    ['WORKERS', '02', 'WORKERS must be auto or an integer from 1 to 256'],
    ['WORKERS', 'all', 'WORKERS must be auto or an integer from 1 to 256 (got "all")'],
  ])('rejects %s=%s naming it', (name, value, message) => {
    const text = errorOf({ [name]: value });
    expect(text).toMatch(/^Invalid environment variables: /);
    expect(text).toContain(message);
  });

  it('never echoes secrets', () => {
    const text = errorOf({ API_KEY: 'short-secret', ADMIN_TOKEN: 'has space in it, 0123456789' });
    expect(text).toContain('API_KEY must be longer than or equal to 16 characters');
    expect(text).toContain('ADMIN_TOKEN must be printable ASCII without spaces');
    expect(text).not.toContain('short-secret');
    expect(text).not.toContain('has space');
  });

  it('reports every invalid variable at once', () => {
    const text = errorOf({ PORT: '-1', LOG_LEVEL: 'loud', MAX_BATCH_ROWS: 'many' });
    expect(text.split('; ')).toHaveLength(3);
  });

  it('parses byte sizes with binary units', () => {
    expect(parseByteSize('100')).toBe(100);
    expect(parseByteSize('1.5kb')).toBe(1536);
    expect(parseByteSize('2MB')).toBe(2 * 1024 * 1024);
    expect(() => parseByteSize('2gb')).toThrow(RangeError);
  });
});
