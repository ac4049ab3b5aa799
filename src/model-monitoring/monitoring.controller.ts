import { Controller, Get, Header, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses } from '../openapi';
import { REPORT_CSP_DIRECTIVES } from '../report/render-report-html';
import { DriftMonitor } from './drift-monitor.service';
import { ModelMonitoringDto } from './dto/model-monitoring.dto';
import { ModelNameQueryPipe } from './model-name-query.pipe';

/** The report page's CSP header: no scripts, nothing loaded, only its own stylesheet (by hash). */
const REPORT_CSP = Object.entries(REPORT_CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join('; ');

const MODEL_QUERY = {
  name: 'model',
  required: false,
  description: 'Model name (default: MODEL_NAME)',
  example: 'anomaly-detector',
} as const;

/** `GET /model/monitoring` and `GET /model/report` (same authentication as `GET /model`). */
@ApiTags('model')
@ApiSecurity('api-key')
@Controller('model')
export class MonitoringController {
  constructor(private readonly monitor: DriftMonitor) {}

  /** Live drift of the serving model against its training reference. */
  @Get('monitoring')
  @ApiOperation({
    operationId: 'getModelMonitoring',
    summary: 'Live drift of the serving model',
    description:
      'PSI of every feature and of the anomaly score over the most recent MONITOR_WINDOW_ROWS rows this process scored, against the training reference stored in the model, the observed and expected anomaly rates, and a verdict. The window is per process.',
  })
  @ApiQuery(MODEL_QUERY)
  @ApiOkResponse({ type: ModelMonitoringDto })
  @ApiProblemResponses(400, 401, 404, 429, 500, 503)
  monitoring(@Query('model', ModelNameQueryPipe) model?: string): ModelMonitoringDto {
    return this.monitor.monitoring(model);
  }

  /** The model report: a self-contained HTML page of SVG charts. */
  @Get('report')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', REPORT_CSP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getModelReport',
    summary: 'Model report page (HTML)',
    description:
      'The decision map, the training and live score distributions with the threshold, per-feature drift and the metadata, as one HTML page with inline SVG: no scripts, nothing to load.',
  })
  @ApiQuery(MODEL_QUERY)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The report page', schema: { type: 'string' } })
  @ApiProblemResponses(400, 401, 404, 429, 500, 503)
  report(@Query('model', ModelNameQueryPipe) model?: string): string {
    return this.monitor.report(model);
  }
}
