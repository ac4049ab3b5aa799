import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { canExplain, explanationBase } from '../engine';
import type { ServingModel } from '../model/serving-model';
import type { ScoredRows } from '../scoring/scored-rows';
import { ScoringService } from '../scoring/scoring.service';
import {
  PATH_LENGTH_OUTPUT,
  pathLengthOutput,
  SHAP_VALUES_OUTPUT,
  shapValuesOutput,
} from './explain.outputs';
import { explainUnavailableMessage } from './explain-unavailable-message';
import { explanationFeatureNames, explanationOf, type Explanation } from './explanation';
import { ExplanationUnavailableHttpError } from './explanation-unavailable.error';

/** Rows explained between two yields to the event loop (about 1 to 15 ms of work). */
export const EXPLAIN_CHUNK_ROWS = 8;

/**
 * Explanations on the one scoring path: registers the `shap_values` and `path_length` outputs
 * with the {@link ScoringService} (so every adapter, the OIP one included, can request them) and
 * turns a scored row's outputs into the domain API's `explanation`.
 */
@Injectable()
export class ExplainService implements OnModuleInit {
  /** Most rows of a batch with explanations (`MAX_EXPLAIN_ROWS`). */
  readonly maxRows: number;
  private readonly topK: number;

  constructor(
    private readonly scoring: ScoringService,
    config: ConfigService<AppConfig, true>,
  ) {
    const explain = config.get('explain', { infer: true });
    this.maxRows = explain.maxRows;
    this.topK = explain.topK;
  }

  /** Registers the outputs (once per scoring service). */
  onModuleInit(): void {
    const names = this.scoring.outputs().map((o) => o.name);
    if (!names.includes(SHAP_VALUES_OUTPUT)) this.scoring.addOutput(shapValuesOutput);
    if (!names.includes(PATH_LENGTH_OUTPUT)) this.scoring.addOutput(pathLengthOutput);
  }

  /** The extra outputs a scoring call must request for {@link explanationAt}. */
  readonly extras: readonly string[] = [SHAP_VALUES_OUTPUT, PATH_LENGTH_OUTPUT];

  /** Whether an output name belongs to explanations (adapters show it inside `explanation`). */
  owns(output: string): boolean {
    return output === SHAP_VALUES_OUTPUT || output === PATH_LENGTH_OUTPUT;
  }

  /**
   * @throws ExplanationUnavailableHttpError (422) when the model's artifact has no per-node
   *   weights (format version 1), with how to re-export it
   */
  assertExplainable(model: ServingModel): void {
    const { forest, formatVersion, source } = model.artifact;
    if (!canExplain(forest)) {
      throw new ExplanationUnavailableHttpError(
        explainUnavailableMessage(formatVersion, source.format),
      );
    }
  }

  /** Row `row` of a scoring call that requested {@link extras}, as the `explanation` member. */
  explanationAt(scored: ScoredRows, row: number): Explanation {
    const { artifact } = scored.model;
    const shap = scored.extras.get(SHAP_VALUES_OUTPUT);
    const path = scored.extras.get(PATH_LENGTH_OUTPUT);
    if (shap === undefined || path === undefined) {
      throw new Error('explanationAt needs a scoring call that requested the explain outputs');
    }
    const F = shap.width;
    return explanationOf(
      {
        shapValues: shap.values.subarray(row * F, (row + 1) * F),
        pathLength: path.values[row],
        ...explanationBase(artifact.forest),
      },
      explanationFeatureNames(artifact.featureNames, artifact.nFeatures),
      this.topK,
    );
  }
}
