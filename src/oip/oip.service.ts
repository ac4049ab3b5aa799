import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { ModelNotFoundError } from '../common/errors';
import type { RequestContext } from '../http/request-context';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { ModelRegistry } from '../model/model-registry';
import type { ServingModel } from '../model/serving-model';
import type { ExtraOutput } from '../scoring/extra-output';
import type { ScoredRows } from '../scoring/scored-rows';
import { ScoringService } from '../scoring/scoring.service';
import {
  type OipInferenceResponseDto,
  type OipModelMetadataDto,
  type OipModelReadyDto,
  type OipResponseOutputDto,
  type OipServerMetadataDto,
  type OipTensorMetadataDto,
} from './oip.dto';
import { BASE_OUTPUTS, OIP_EXTENSIONS, OIP_INPUT_NAME, SERVER_NAME } from './oip.constants';
import { parseInferRequest } from './parse-infer-request';

/**
 * The Open Inference Protocol adapter: model and server metadata and readiness from the
 * registry, inference through the one {@link ScoringService}. Outputs are named after
 * scikit-learn's methods (`predict`, `score_samples`, `decision_function`) plus `anomaly_score`
 * (`-score_samples`) and every extra output the scoring service offers.
 */
@Injectable()
export class OipService {
  private readonly maxRows: number;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly scoring: ScoringService,
    private readonly lifecycle: LifecycleService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxRows = config.get('model', { infer: true }).maxBatchRows;
  }

  /** `GET /v2`. */
  serverMetadata(version: string): OipServerMetadataDto {
    return { name: SERVER_NAME, version, extensions: [...OIP_EXTENSIONS] };
  }

  /** Every model the server should serve is loaded, and no shutdown has begun. */
  isServerReady(): boolean {
    return !this.lifecycle.isShuttingDown && this.registry.allReady();
  }

  /**
   * Readiness of `name` (at `version`, else its highest version).
   *
   * @throws ModelNotFoundError for an unknown model or version.
   */
  modelReady(name: string, version: string | undefined): OipModelReadyDto {
    const v = parseVersion(name, version);
    const ready = this.registry.isReady(name, v);
    return { name, ready };
  }

  /**
   * `GET /v2/models/{name}[/versions/{version}]`.
   *
   * @throws ModelNotFoundError / ModelUnavailableError.
   */
  modelMetadata(name: string, version: string | undefined): OipModelMetadataDto {
    const model = this.registry.get(name, parseVersion(name, version));
    const entry = this.registry.entry(name);
    const nFeatures = model.artifact.nFeatures;
    return {
      name,
      versions: (entry?.versions ?? []).map((v) => String(v.version)),
      platform: `sklearn_${model.artifact.source.format.replace(/^sklearn-/, '')}`,
      inputs: [{ name: OIP_INPUT_NAME, datatype: 'FP64', shape: [-1, nFeatures] }],
      outputs: this.outputMetadata(model),
    };
  }

  /**
   * `POST /v2/models/{name}[/versions/{version}]/infer`: checks the request against the model,
   * scores its rows and returns the requested outputs.
   *
   * @throws ModelNotFoundError, ModelUnavailableError, RequestValidationError.
   */
  async infer(
    name: string,
    version: string | undefined,
    body: unknown,
    binary: Uint8Array | null,
    ctx: RequestContext,
  ): Promise<OipInferenceResponseDto> {
    const model = this.registry.get(name, parseVersion(name, version));
    ctx.modelName = model.name;
    ctx.modelVersion = model.modelVersion;
    const extras = supportedOutputs(this.scoring.outputs(), model);
    const request = parseInferRequest(body, model, {
      maxRows: this.maxRows,
      binary,
      outputNames: [...BASE_OUTPUTS, ...extras.map((o) => o.name)],
      defaultOutputs: [...BASE_OUTPUTS, ...extras.filter((o) => o.always).map((o) => o.name)],
    });
    const requestedExtras = request.outputs.filter(
      (n) => !(BASE_OUTPUTS as readonly string[]).includes(n),
    );
    const options = { source: 'oip', extras: requestedExtras };
    const scored =
      request.x.rows === 1
        ? this.scoring.scoreOne(model, request.x.data, options)
        : await this.scoring.scoreRows(model, request.x, options);
    const response: OipInferenceResponseDto = {
      model_name: model.name,
      model_version: String(model.version),
      ...(request.id === undefined ? {} : { id: request.id }),
      parameters: { artifact_version: model.modelVersion },
      outputs: request.outputs.map((n) => outputTensor(scored, n)),
    };
    return response;
  }

  private outputMetadata(model: ServingModel): OipTensorMetadataDto[] {
    const outputs: OipTensorMetadataDto[] = BASE_OUTPUTS.map((n) => ({
      name: n,
      datatype: n === 'predict' ? 'INT64' : 'FP64',
      shape: [-1],
    }));
    for (const extra of supportedOutputs(this.scoring.outputs(), model)) {
      const width = extra.width(model);
      outputs.push({ name: extra.name, datatype: 'FP64', shape: width === 1 ? [-1] : [-1, width] });
    }
    return outputs;
  }
}

/** The extra outputs `model` can give (an output without `supports` suits every model). */
function supportedOutputs(
  outputs: readonly ExtraOutput[],
  model: ServingModel,
): readonly ExtraOutput[] {
  return outputs.filter((o) => o.supports === undefined || o.supports(model));
}

/** A version path segment: a positive integer, else no such version (404). */
function parseVersion(name: string, version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new ModelNotFoundError(name, version);
  return Number(version);
}

/** One output tensor of `scored`. */
function outputTensor(scored: ScoredRows, name: string): OipResponseOutputDto {
  const { scores } = scored;
  const n = scores.length;
  const offset = scored.model.artifact.offset;
  const data = new Array<number>(n);
  switch (name) {
    case 'predict':
      for (let i = 0; i < n; i++) data[i] = scores[i] - offset < 0 ? -1 : 1;
      return { name, shape: [n], datatype: 'INT64', data };
    case 'score_samples':
      for (let i = 0; i < n; i++) data[i] = scores[i];
      return { name, shape: [n], datatype: 'FP64', data };
    case 'decision_function':
      for (let i = 0; i < n; i++) data[i] = scores[i] - offset;
      return { name, shape: [n], datatype: 'FP64', data };
    case 'anomaly_score':
      for (let i = 0; i < n; i++) data[i] = -scores[i];
      return { name, shape: [n], datatype: 'FP64', data };
    default: {
      const { width, values } = scored.extras.get(name)!;
      return {
        name,
        shape: width === 1 ? [n] : [n, width],
        datatype: 'FP64',
        data: Array.from(values),
      };
    }
  }
}
