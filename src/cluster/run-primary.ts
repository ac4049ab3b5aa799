import cluster from 'node:cluster';
import type { AppConfig } from '../config';
import { createLogger } from '../logging/create-logger';
import { ConfigService } from '@nestjs/config';
import { ModelLoader } from '../model/model-loader';
import { PrimaryMetrics } from './pool-metrics';
import { WorkerPool } from './worker-pool';

/**
 * The primary of a worker pool (WORKERS > 1): serves no requests. It forks the workers, owns
 * the models (reads them through the service's `ModelLoader`), reloads MODEL_NAME on SIGHUP, and on SIGTERM/SIGINT drains every worker and exits 0 when all
 * drained cleanly within SHUTDOWN_GRACE_MS (1 otherwise).
 */
export async function runPrimary(config: AppConfig): Promise<void> {
  const logger = createLogger(config.log.level);
  // Structured clone on the IPC channels: model bytes travel as typed arrays, not JSON.
  cluster.setupPrimary({ serialization: 'advanced' });
  const pool = new WorkerPool({
    size: config.workers.count,
    cluster,
    logger,
    metrics: new PrimaryMetrics(config.workers.count),
    // The service's own loader (the only code that reads model files), outside Nest.
    source: new ModelLoader(new ConfigService<AppConfig, true>({ ...config })),
    shutdownGraceMs: config.http.shutdownGraceMs,
    onStartupFailure: (reason) => stop('startup failure', reason),
  });
  let stopping = false;
  function stop(signal: NodeJS.Signals | 'startup failure', reason?: string): void {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, reason }, 'shutdown requested: draining every worker');
    void pool.shutdown().then((clean) => {
      logger.flush(() => process.exit(clean && reason === undefined ? 0 : 1));
    });
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void pool.load(config.model.name, 'signal'));
  logger.info(
    { workers: config.workers.count, path: config.model.path },
    `starting a pool of ${config.workers.count} workers`,
  );
  await pool.start();
}
