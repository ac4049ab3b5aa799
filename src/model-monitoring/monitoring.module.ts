import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { DriftMonitor } from './drift-monitor.service';
import { MonitoringController } from './monitoring.controller';

/** Score percentiles, live drift, its gauges and the model report (issue 13). */
@Module({
  imports: [ScoringModule],
  controllers: [MonitoringController],
  providers: [DriftMonitor],
})
export class MonitoringModule {}
