import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { ExplainService } from './explain.service';

/** Explanations (issue 12): outputs on the scoring service and the `explanation` formatter. */
@Module({
  imports: [ScoringModule],
  providers: [ExplainService],
  exports: [ExplainService],
})
export class ExplainModule {}
