import 'reflect-metadata';
import type { Logger } from 'pino';
import { createApp } from './app.factory';
import { ConfigValidationError, loadConfig, type AppConfig } from './config';
import { gracefulShutdown } from './lifecycle/graceful-shutdown';
import { PINO_ROOT } from './logging/logging.constants';
import { ModelRegistry } from './model/model-registry';

/**
 * Entry point: validate the environment (exit 1 naming the bad variables), build the app, listen,
 * and handle signals: SIGHUP reloads the model; SIGTERM/SIGINT drain and exit 0 within
 * SHUTDOWN_GRACE_MS (1 if requests were still in flight). Signals are handled here rather than
 * by Nest's `enableShutdownHooks`, which re-raises the signal and so never exits 0.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const app = await createApp(config);
  const logger = app.get<Logger>(PINO_ROOT);
  const models = app.get(ModelRegistry);
  process.on('SIGHUP', () => void models.load(models.defaultName, 'signal'));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutdown requested');
    void gracefulShutdown(app, config.http.shutdownGraceMs, logger).then(({ clean }) => {
      logger.flush(() => process.exit(clean ? 0 : 1));
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  logger.info(
    { host: config.http.host, port, modelLoaded: models.peek() !== null },
    `listening on http://${config.http.host}:${port}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
