import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from './config';

/** Version of the HTTP API (not of the package or the model). */
export const API_VERSION = '1.0.0';

/** Where Swagger UI and the OpenAPI JSON document are served. */
export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/**
 * The OpenAPI 3 document of `app`, as served at `/docs-json` and committed as `openapi.json`
 * (`npm run openapi:generate`). Limits that come from configuration are filled in from `config`.
 */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('ml-anomaly-api')
    .setDescription(
      'Isolation Forest anomaly detection with scikit-learn 1.2.1 semantics. Errors are RFC 9457 application/problem+json.',
    )
    .setVersion(API_VERSION)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque' }, 'admin-token')
    .build();
  const document = SwaggerModule.createDocument(app, base);
  const batch = document.components?.schemas?.PredictBatchRequestDto;
  const data = batch && 'properties' in batch ? batch.properties?.data : undefined;
  if (data && 'type' in data) data.maxItems = config.model.maxBatchRows;
  // `contamination` is 'auto' or a number: any JSON value to the document (see ModelInfoDto),
  // so that generated clients (Java's in particular) can read it.
  const info = document.components?.schemas?.ModelInfoDto;
  const contamination = info && 'properties' in info ? info.properties?.contamination : undefined;
  if (contamination && 'type' in contamination) delete contamination.type;
  return document;
}

/** Serves Swagger UI at `/docs` and the document at `/docs-json`. */
export function setupSwagger(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
  });
}
