import type { Logger } from 'pino';
import { createApp } from '../app.factory';
import type { AppConfig } from '../config';
import { gracefulShutdown } from '../lifecycle/graceful-shutdown';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { publicLoadReason } from '../model/model-handoff';
import { ModelService } from '../model/model.service';
import type { ServingModel } from '../model/serving-model';
import { WorkerChannel, type WorkerInbound } from './worker-channel';

/**
 * A pool worker (forked by the primary, `cluster.isWorker`): takes the model the primary hands
 * over, builds the app, listens on the shared port when the primary admits it, and follows the
 * primary's messages (reload phases, metrics snapshots, readiness counts, drain). It drains as a
 * single process does on `pool:drain`, SIGTERM, SIGINT or when the primary goes away; SIGHUP
 * asks the primary for a pool-wide reload.
 */
export async function runWorker(config: AppConfig): Promise<void> {
  const channel = new WorkerChannel(process);
  let drainBeforeApp = false;
  const onEarlyDisconnect = (): void => {
    drainBeforeApp = true;
  };
  process.once('disconnect', onEarlyDisconnect);
  const init = await channel.hello();
  const app = await createApp(config, {
    pool: { model: channel.modelPort(init), metrics: channel.metricsPort(init) },
  });
  process.removeListener('disconnect', onEarlyDisconnect);
  const logger = app.get<Logger>(PINO_ROOT).child({ slot: init.slot });
  const models = app.get(ModelService);
  const metrics = app.get(MetricsService);
  const lifecycle = app.get(LifecycleService);

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason: why }, 'shutdown requested');
    void gracefulShutdown(app, config.http.shutdownGraceMs, logger).then(({ clean }) => {
      logger.flush(() => process.exit(clean ? 0 : 1));
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => stop('primary gone'));
  process.on('SIGHUP', () => void models.reload('signal'));

  let admit: () => void = () => undefined;
  const admitted = new Promise<void>((resolve) => (admit = resolve));
  const staged = new Map<number, ServingModel>();
  const handle = (message: WorkerInbound): void => {
    switch (message.type) {
      case 'pool:prepare':
        try {
          staged.set(message.tx, models.prepare(message.model));
          channel.send({ type: 'pool:prepared', tx: message.tx, ok: true, reason: null });
        } catch (err) {
          logger.error({ err, tx: message.tx }, 'could not prepare the model from the primary');
          channel.send({
            type: 'pool:prepared',
            tx: message.tx,
            ok: false,
            reason: publicLoadReason(err),
          });
        }
        return;
      case 'pool:commit': {
        const model = staged.get(message.tx);
        staged.clear();
        if (model === undefined) {
          logger.error({ tx: message.tx }, 'commit of a reload this worker never prepared');
          return;
        }
        models.commit(model, message.attempt);
        channel.send({ type: 'pool:committed', tx: message.tx });
        return;
      }
      case 'pool:abort':
        staged.delete(message.tx);
        return;
      case 'pool:attempt':
        models.noteFailedAttempt(message.attempt);
        return;
      case 'pool:collect-metrics':
        void metrics.registry
          .getMetricsAsJSON()
          .then((snapshot) =>
            channel.send({ type: 'pool:metrics', id: message.id, metrics: snapshot }),
          );
        return;
      case 'pool:workers':
        lifecycle.setWorkers(message);
        return;
      case 'pool:listen':
        lifecycle.setWorkers(message.workers);
        admit();
        return;
      case 'pool:drain':
        stop('drain');
        return;
      default: {
        const unexpected: never = message;
        logger.warn({ message: unexpected }, 'unknown message from the primary');
      }
    }
  };
  channel.onMessage(handle);
  if (drainBeforeApp) {
    stop('primary gone');
    return;
  }

  const serving = models.peek();
  channel.send({
    type: 'pool:built',
    sha256: serving !== null && init.model !== null ? init.model.sha256 : null,
  });
  await admitted;
  if (stopping) return;
  await app.listen(config.http.port, config.http.host);
  channel.send({ type: 'pool:started' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  logger.info(
    { host: config.http.host, port, modelLoaded: models.peek() !== null },
    `worker listening on http://${config.http.host}:${port}`,
  );
}
