import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { OipBodyMiddleware } from './oip-body.middleware';
import { OipController } from './oip.controller';
import { OipService } from './oip.service';
import { RepositoryController } from './repository.controller';
import { RepositoryService } from './repository.service';

/** The Open Inference Protocol (v2) REST API and Triton's model repository extension. */
@Module({
  imports: [ScoringModule],
  controllers: [OipController, RepositoryController],
  providers: [OipService, RepositoryService],
})
export class OipModule implements NestModule {
  /** Reads JSON (and binary tensor data) bodies for the v2 routes that take one. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(OipBodyMiddleware).forRoutes(OipController, RepositoryController);
  }
}
