import { Module } from '@nestjs/common';
import { ModelModule } from '../model/model.module';
import { ScoringService } from './scoring.service';

/** The one scoring service, over the model registry. */
@Module({
  imports: [ModelModule],
  providers: [ScoringService],
  exports: [ScoringService, ModelModule],
})
export class ScoringModule {}
