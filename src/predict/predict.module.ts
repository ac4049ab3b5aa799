import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ExplainModule } from '../explain/explain.module';
import { JsonBodyMiddleware } from '../http/json-body.middleware';
import { ScoringModule } from '../scoring/scoring.module';
import { PredictController } from './predict.controller';
import { PredictService } from './predict.service';

/** Scoring over HTTP. JSON bodies are read only for these routes. */
@Module({
  imports: [ScoringModule, ExplainModule],
  controllers: [PredictController],
  providers: [PredictService],
})
export class PredictModule implements NestModule {
  /** Reads JSON bodies for the predict routes. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes(PredictController);
  }
}
