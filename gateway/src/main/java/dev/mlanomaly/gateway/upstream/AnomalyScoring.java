package dev.mlanomaly.gateway.upstream;

import dev.mlanomaly.gateway.client.api.ModelApi;
import dev.mlanomaly.gateway.client.api.PredictApi;
import dev.mlanomaly.gateway.client.model.ModelInfoDto;
import dev.mlanomaly.gateway.client.model.PredictBatchRequestDto;
import dev.mlanomaly.gateway.client.model.PredictBatchResponseDto;
import dev.mlanomaly.gateway.client.model.PredictRequestDto;
import dev.mlanomaly.gateway.client.model.PredictResponseDto;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClientException;

/**
 * The gateway's only way to the anomaly service: every call goes through the generated client
 * and {@link ResilientCalls}, and every failure becomes a {@link GatewayProblem}.
 */
@Service
public class AnomalyScoring {
  private static final Pattern ROW_FIELD = Pattern.compile("^data\\[(\\d+)]\\[(\\d+)](.*)$");

  private final PredictApi predict;
  private final ModelApi model;
  private final ResilientCalls calls;
  private final AnomalyServiceProperties properties;
  private final Clock clock = Clock.systemUTC();
  private final AtomicReference<ModelInfoDto> features = new AtomicReference<>();

  AnomalyScoring(PredictApi predict, ModelApi model, ResilientCalls calls, AnomalyServiceProperties properties) {
    this.predict = predict;
    this.model = model;
    this.calls = calls;
    this.properties = properties;
  }

  /**
   * Scores one server: {@code features} are its metrics named as the model's features; with
   * {@code explain}, the service adds its {@code explanation}.
   */
  public PredictResponseDto scoreOne(Map<String, Double> features, boolean explain) {
    PredictRequestDto request = new PredictRequestDto().features(features).explain(explain ? true : null);
    return call(() -> predict.predict(request), UnaryOperator.identity());
  }

  /**
   * Scores many servers. The service takes batch rows in the model's column order, so the
   * gateway asks {@code GET /model} for the feature names once and remembers them; if the batch
   * was scored by another model version whose features differ (a reload in between), it asks
   * again and resends once.
   *
   * @param toRows turns the servers into rows for the given feature names (and validates them)
   * @param explain whether the service adds each row's {@code explanation}
   */
  public PredictBatchResponseDto scoreBatch(
      Function<List<String>, List<List<Double>>> toRows, boolean explain) {
    ModelInfoDto known = modelInfo(false);
    for (int attempt = 0; ; attempt++) {
      List<String> names = featureNames(known);
      PredictBatchRequestDto request =
          new PredictBatchRequestDto().data(toRows.apply(names)).explain(explain ? true : null);
      PredictBatchResponseDto response = call(() -> predict.predictBatch(request), rowFields(names));
      if (Objects.equals(response.getModelVersion(), known.getModelVersion()) || attempt > 0) {
        return response;
      }
      ModelInfoDto now = modelInfo(true);
      if (Objects.equals(featureNames(now), names)) {
        return response;
      }
      known = now;
    }
  }

  private ModelInfoDto modelInfo(boolean refresh) {
    ModelInfoDto info = features.get();
    if (info == null || refresh) {
      info = call(model::getModel, UnaryOperator.identity());
      features.set(info);
    }
    return info;
  }

  private static List<String> featureNames(ModelInfoDto info) {
    List<String> names = info.getFeatureNames();
    if (names == null || names.isEmpty()) {
      throw new GatewayProblem.Exception(
          GatewayProblems.own(
              HttpStatus.UNPROCESSABLE_CONTENT,
              "model-without-feature-names",
              "Model has no feature names",
              "The serving model was trained without feature names, so servers' metrics cannot be"
                  + " matched to its columns.",
              null,
              Optional.empty()));
    }
    return names;
  }

  /** Rewrites the service's {@code data[i][j]} field names as {@code [i].<feature>}. */
  static UnaryOperator<String> rowFields(List<String> names) {
    return field -> {
      if (field == null) {
        return null;
      }
      Matcher m = ROW_FIELD.matcher(field);
      if (m.matches()) {
        int col = Integer.parseInt(m.group(2));
        String name = col < names.size() ? names.get(col) : m.group(2);
        return "[" + m.group(1) + "]." + name + m.group(3);
      }
      return field.startsWith("data") ? field.substring(4) : field;
    };
  }

  private <T> T call(java.util.function.Supplier<T> call, UnaryOperator<String> fieldNames) {
    try {
      return calls.call(call);
    } catch (RestClientException | io.github.resilience4j.circuitbreaker.CallNotPermittedException e) {
      throw new GatewayProblem.Exception(
          GatewayProblems.from(
              e, properties.circuitBreaker().waitInOpenState(), fieldNames, clock.instant()));
    }
  }
}
