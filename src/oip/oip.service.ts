import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { ModelNotFoundError } from '../errors';
import type { RequestContext } from '../http/request-context';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { ModelRegistry } from '../model/model-registry';
import type { ServingModel } from '../model/serving-model';
import type { ExtraOutput } from '../scoring/extra-output';
import { ScoringService } from '../scoring/scoring.service';
import { inferResponseJson } from './infer-response-json';
import {
  type OipModelMetadataDto,
  type OipModelReadyDto,
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
  private readonly outputsByModel = new WeakMap<ServingModel, ModelOutputs>();

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
   * scores its rows and returns the JSON text of the response (an `OipInferenceResponseDto`,
   * written by {@link inferResponseJson}) with the requested outputs.
   *
   * @throws ModelNotFoundError, ModelUnavailableError, RequestValidationError.
   */
  async infer(
    name: string,
    version: string | undefined,
    body: unknown,
    binary: Uint8Array | null,
    ctx: RequestContext,
  ): Promise<string> {
    const model = this.registry.get(name, parseVersion(name, version));
    ctx.modelName = model.name;
    ctx.modelVersion = model.modelVersion;
    const outputs = this.outputsOf(model);
    const request = parseInferRequest(body, model, {
      maxRows: this.maxRows,
      binary,
      outputNames: outputs.names,
      defaultOutputs: outputs.defaults,
    });
    const options = {
      source: 'oip',
      extras: request.outputs.filter((n) => !BASE_OUTPUT_SET.has(n)),
    };
    const scored =
      request.x.rows === 1
        ? this.scoring.scoreOne(model, request.x.data, options)
        : await this.scoring.scoreRows(model, request.x, options);
    return inferResponseJson(
      {
        modelName: model.name,
        modelVersion: String(model.version),
        id: request.id,
        artifactVersion: model.modelVersion,
      },
      scored,
      request.outputs,
    );
  }

  /**
   * The outputs `model` offers, worked out once per loaded model (a reload installs a new
   * `ServingModel`, and extra outputs are registered while the app starts).
   */
  private outputsOf(model: ServingModel): ModelOutputs {
    const registered = this.scoring.outputs();
    const cached = this.outputsByModel.get(model);
    if (cached !== undefined && cached.registered === registered.length) return cached;
    const extras = registered.filter((o) => o.supports === undefined || o.supports(model));
    const outputs: ModelOutputs = {
      registered: registered.length,
      extras,
      names: [...BASE_OUTPUTS, ...extras.map((o) => o.name)],
      defaults: [...BASE_OUTPUTS, ...extras.filter((o) => o.always).map((o) => o.name)],
    };
    this.outputsByModel.set(model, outputs);
    return outputs;
  }

  private outputMetadata(model: ServingModel): OipTensorMetadataDto[] {
    const outputs: OipTensorMetadataDto[] = BASE_OUTPUTS.map((n) => ({
      name: n,
      datatype: n === 'predict' ? 'INT64' : 'FP64',
      shape: [-1],
    }));
    for (const extra of this.outputsOf(model).extras) {
      const width = extra.width(model);
      outputs.push({ name: extra.name, datatype: 'FP64', shape: width === 1 ? [-1] : [-1, width] });
    }
    return outputs;
  }
}

/** The outputs one model offers (see {@link OipService.outputsOf}). */
interface ModelOutputs {
  /** How many extra outputs were registered when this was worked out. */
  readonly registered: number;
  /** Every output a request may name. */
  readonly names: readonly string[];
  /** The outputs of a request that names none, in order. */
  readonly defaults: readonly string[];
  /** The extra outputs `model` can give (an output without `supports` suits every model). */
  readonly extras: readonly ExtraOutput[];
}

const BASE_OUTPUT_SET: ReadonlySet<string> = new Set(BASE_OUTPUTS);

/** A version path segment: a positive integer, else no such version (404). */
function parseVersion(name: string, version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new ModelNotFoundError(name, version);
  return Number(version);
}
