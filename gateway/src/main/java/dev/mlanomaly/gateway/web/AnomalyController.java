package dev.mlanomaly.gateway.web;

import dev.mlanomaly.gateway.client.model.PredictBatchResponseDto;
import dev.mlanomaly.gateway.client.model.PredictResponseDto;
import dev.mlanomaly.gateway.upstream.AnomalyScoring;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The gateway's API: servers' metrics in, the anomaly service's verdicts out. */
@RestController
@RequestMapping(path = "/api/v1/anomalies", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "anomalies")
@ApiResponse(
    responseCode = "400",
    description = "Invalid metrics (the anomaly service's field errors and request_id)",
    content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(
    responseCode = "502",
    description = "The anomaly service failed, is unreachable, or rejected the gateway's credentials",
    content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(
    responseCode = "503",
    description = "The anomaly service cannot score now (no model, rate limited) or the circuit is open; see Retry-After",
    content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(
    responseCode = "504",
    description = "The anomaly service did not answer within the read timeout",
    content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
public class AnomalyController {
  private final AnomalyScoring scoring;

  AnomalyController(AnomalyScoring scoring) {
    this.scoring = scoring;
  }

  /** Scores one server's metrics. */
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Score one server",
      description = "The body names every feature of the serving model (GET /model on the service lists them).",
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              content =
                  @Content(
                      schema = @Schema(type = "object", additionalPropertiesSchema = Double.class),
                      examples = @ExampleObject(value = "{\"cpu_usage\": -5.5, \"memory_load\": 5.2}"))))
  public PredictResponseDto score(
      @RequestBody Map<String, Object> metrics,
      @Parameter(description = "Add the service's explanation (TreeSHAP values per feature)")
          @RequestParam(defaultValue = "false")
          boolean explain) {
    return scoring.scoreOne(MetricsRequests.features(metrics), explain);
  }

  /** Scores many servers' metrics; predictions come back in input order. */
  @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Score many servers",
      description = "An array of servers' metrics, each naming every feature of the serving model.",
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              content =
                  @Content(
                      examples =
                          @ExampleObject(
                              value =
                                  "[{\"cpu_usage\": -5.5, \"memory_load\": 5.2}, {\"cpu_usage\": 2.1, \"memory_load\": 2.1}]"))))
  public PredictBatchResponseDto scoreBatch(
      @RequestBody List<Map<String, Object>> servers,
      @Parameter(description = "Add the service's explanation of each row")
          @RequestParam(defaultValue = "false")
          boolean explain) {
    return scoring.scoreBatch(names -> MetricsRequests.rows(servers, names), explain);
  }
}
