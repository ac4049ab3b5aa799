import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config';

/** The committed default model (2 features: cpu_usage, memory_load). */
export const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** A real service listening on an ephemeral 127.0.0.1 port. */
export interface TestApp {
  readonly app: NestExpressApplication;
  readonly config: AppConfig;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every log line written so far. */
  logs(): LogLine[];
  close(): Promise<void>;
}

/**
 * Starts the service exactly as `main.ts` does (createApp + listen) with `env` on top of
 * `MODEL_PATH=<default model>`, capturing its log lines in memory.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ MODEL_PATH: DEFAULT_MODEL, LOG_LEVEL: 'info', ...env });
  const lines: string[] = [];
  const app = await createApp(config, {
    logDestination: { write: (line: string) => void lines.push(line) },
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    logs: () => lines.map((l) => JSON.parse(l) as LogLine),
    close: () => app.close(),
  };
}

/**
 * A parsed JSON response body. Tests assert its fields one by one (and a wrong guess fails the
 * assertion), so it is deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

/** A response with its body read as text and, when it parses, as JSON. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: JsonBody;
}

/** Sends a request and reads the whole response. */
export async function send(
  url: string,
  init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    body: init.body,
    headers: init.headers,
  });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** POSTs `body` (serialised when not a string) as application/json. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return send(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}
