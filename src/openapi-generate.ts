import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from './app.factory';
import { loadConfig } from './config';
import { buildOpenApiDocument } from './swagger';

/** Path of the committed OpenAPI document, relative to the repository root. */
export const OPENAPI_FILE = 'openapi.json';

/** Serialises a document exactly as committed (2-space JSON, trailing newline). */
export function serializeOpenApi(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * `npm run openapi:generate`: writes the OpenAPI document of the default configuration to
 * `openapi.json` at the repository root (the model file is not needed).
 */
async function generate(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const app = await createApp(config);
  await app.init();
  const document = buildOpenApiDocument(app, config);
  await app.close();
  const target = resolve(process.cwd(), OPENAPI_FILE);
  writeFileSync(target, serializeOpenApi(document));
  process.stdout.write(`wrote ${target}\n`);
}

if (require.main === module) {
  generate().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
