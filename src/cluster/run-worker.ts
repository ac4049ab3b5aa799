import type { Logger } from 'pino';
import { createApp } from '../app.factory';
import type { AppConfig } from '../config';
import { gracefulShutdown } from '../lifecycle/graceful-shutdown';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import type { PreparedModel } from '../model/model-entry';
import { filesFromHandoff, publicLoadReason } from '../model/model-handoff';
import { failureReason, ModelRegistry } from '../model/model-registry';
import { WorkerChannel, type WorkerInbound } from './worker-channel';

/**
 * A pool worker (forked by the primary, `cluster.isWorker`): builds the app on the registry
 * changes the primary hands over (never reading a model file), listens on the shared port when the primary admits it, and follows the
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
  const models = app.get(ModelRegistry);
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
  process.on('SIGHUP', () => void models.load(models.defaultName, 'signal'));

  let admit: () => void = () => undefined;
  const admitted = new Promise<void>((resolve) => (admit = resolve));
  /** Phase one's result per transaction: a prepared install, or the name to unload. */
  const staged = new Map<number, PreparedModel | string>();
  let generation = init.generation;
  const handle = (message: WorkerInbound): void => {
    switch (message.type) {
      case 'pool:prepare': {
        const { tx, change } = message;
        try {
          if (change.kind === 'install') {
            const prepared = models.prepare(
              filesFromHandoff(change.handoff),
              new Date(change.handoff.loadedAt),
            );
            staged.set(tx, prepared);
            channel.send({ type: 'pool:prepared', tx, ok: true, reason: failureReason(prepared) });
          } else {
            if (models.entry(change.name) === undefined) {
              throw new Error(`model ${change.name} is unknown to this worker`);
            }
            staged.set(tx, change.name);
            channel.send({ type: 'pool:prepared', tx, ok: true, reason: null });
          }
        } catch (err) {
          logger.error({ err, tx }, 'could not prepare a change from the primary');
          channel.send({ type: 'pool:prepared', tx, ok: false, reason: publicLoadReason(err) });
        }
        return;
      }
      case 'pool:commit': {
        const change = staged.get(message.tx);
        staged.clear();
        if (change === undefined) {
          logger.error({ tx: message.tx }, 'commit of a change this worker never prepared');
          return;
        }
        if (typeof change === 'string') models.applyUnload(change);
        else models.install(change, message.trigger, message.at);
        generation++;
        channel.send({ type: 'pool:committed', tx: message.tx });
        return;
      }
      case 'pool:abort':
        staged.delete(message.tx);
        return;
      case 'pool:resync':
        models.replay(message.changes);
        generation = message.generation;
        channel.send({ type: 'pool:resynced' });
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

  channel.send({ type: 'pool:built', generation });
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
