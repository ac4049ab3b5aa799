import { Global, Module, type DynamicModule } from '@nestjs/common';
import { METRICS_POOL } from '../metrics/metrics.constants';
import type { MetricsPoolPort } from '../metrics/metrics.service';
import type { ModelPoolPort } from '../model/model-pool';
import { MODEL_POOL } from '../model/model.constants';

/** What a pool worker's modules use to reach the primary. */
export interface PoolPorts {
  readonly model: ModelPoolPort;
  readonly metrics: MetricsPoolPort;
}

/**
 * Provides a pool worker's {@link PoolPorts} under the tokens the model and metrics modules
 * optionally inject (`MODEL:POOL`, `METRICS:POOL`). A single process does not import it.
 */
@Global()
@Module({})
export class PoolPortsModule {
  /** The module serving `ports`. */
  static forRoot(ports: PoolPorts): DynamicModule {
    return {
      module: PoolPortsModule,
      providers: [
        { provide: MODEL_POOL, useValue: ports.model },
        { provide: METRICS_POOL, useValue: ports.metrics },
      ],
      exports: [MODEL_POOL, METRICS_POOL],
    };
  }
}
