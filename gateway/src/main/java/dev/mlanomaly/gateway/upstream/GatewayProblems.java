package dev.mlanomaly.gateway.upstream;

import dev.mlanomaly.gateway.client.model.FieldErrorDto;
import dev.mlanomaly.gateway.client.model.ProblemDetailsDto;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientException;

/**
 * Pure mapping from a failed call to the anomaly service to the gateway's answer.
 *
 * <ul>
 *   <li>The service's 4xx problems about the request (400, 413, 422) reach the caller as they
 *       are: same status, type, title, detail, field {@code errors} and the service's {@code
 *       request_id}.
 *   <li>401 and 403 mean the gateway's API key is wrong: the gateway's own 502, naming its
 *       configuration, never the key. Other 4xx (404, 405, 415...) mean the two disagree on the
 *       contract: 502.
 *   <li>503 and 429 that outlived the retries: 503 with the service's {@code Retry-After}.
 *   <li>Other 5xx: 502. A read timeout: 504. A connection failure: 502. An open circuit: 503.
 * </ul>
 */
public final class GatewayProblems {
  /** Prefix of the gateway's own problem types (the service's types are passed through). */
  public static final String TYPE_PREFIX = "urn:anomaly-gateway:problem:";

  private GatewayProblems() {}

  /**
   * The answer for {@code error}, thrown by a call wrapped in {@link ResilientCalls}.
   *
   * @param openCircuitWait how long an open circuit refuses calls (its {@code Retry-After})
   * @param fieldNames rewrites the service's field names into the gateway's (batch rows)
   */
  public static GatewayProblem from(
      Throwable error, Duration openCircuitWait, UnaryOperator<String> fieldNames, Instant now) {
    if (error instanceof CallNotPermittedException) {
      return own(
          HttpStatus.SERVICE_UNAVAILABLE,
          "circuit-open",
          "Anomaly service unavailable",
          "The anomaly service failed repeatedly; calls to it are suspended for a while.",
          null,
          Optional.of(RetryAfter.seconds(openCircuitWait)));
    }
    if (error instanceof HttpStatusCodeException http) {
      return fromStatus(http, fieldNames, now);
    }
    if (error instanceof ResourceAccessException) {
      if (UpstreamFailures.isReadTimeout(error)) {
        return own(
            HttpStatus.GATEWAY_TIMEOUT,
            "upstream-timeout",
            "Anomaly service timed out",
            "The anomaly service did not answer in time.",
            null,
            Optional.empty());
      }
      return own(
          HttpStatus.BAD_GATEWAY,
          "upstream-unreachable",
          "Anomaly service unreachable",
          "The gateway could not connect to the anomaly service.",
          null,
          Optional.empty());
    }
    if (error instanceof RestClientException) {
      return own(
          HttpStatus.BAD_GATEWAY,
          "upstream-invalid-response",
          "Invalid answer from the anomaly service",
          "The anomaly service's answer could not be read.",
          null,
          Optional.empty());
    }
    throw new IllegalArgumentException("not an upstream failure", error);
  }

  private static GatewayProblem fromStatus(
      HttpStatusCodeException http, UnaryOperator<String> fieldNames, Instant now) {
    int status = http.getStatusCode().value();
    ProblemDetailsDto upstream = upstreamProblem(http);
    String requestId = upstream == null ? null : upstream.getRequestId();
    switch (status) {
      case 400, 413, 422 -> {
        if (upstream != null) {
          return new GatewayProblem(passThrough(status, upstream, fieldNames), Optional.empty());
        }
        return own(
            HttpStatus.BAD_GATEWAY,
            "upstream-invalid-response",
            "Invalid answer from the anomaly service",
            "The anomaly service refused the request without a readable problem document.",
            null,
            Optional.empty());
      }
      case 401, 403 -> {
        return own(
            HttpStatus.BAD_GATEWAY,
            "upstream-credentials-rejected",
            "Gateway misconfigured",
            "The anomaly service rejected the gateway's credentials: the gateway's"
                + " anomaly-service.api-key does not match the service's API_KEY.",
            requestId,
            Optional.empty());
      }
      case 429, 503 -> {
        Optional<String> retryAfter =
            RetryAfter.from(http.getResponseHeaders(), now).map(RetryAfter::seconds);
        String detail =
            status == 429
                ? "The anomaly service is rate limiting the gateway."
                : upstream != null && upstream.getDetail() != null
                    ? "The anomaly service cannot score now: " + upstream.getDetail()
                    : "The anomaly service cannot score now.";
        return own(
            HttpStatus.SERVICE_UNAVAILABLE,
            "upstream-unavailable",
            "Anomaly service unavailable",
            detail,
            requestId,
            retryAfter);
      }
      default -> {
        if (status >= 500) {
          return own(
              HttpStatus.BAD_GATEWAY,
              "upstream-error",
              "Anomaly service failed",
              "The anomaly service failed (status " + status + ").",
              requestId,
              Optional.empty());
        }
        return own(
            HttpStatus.BAD_GATEWAY,
            "upstream-contract",
            "Gateway and anomaly service disagree",
            "The anomaly service refused the gateway's request (status " + status + ").",
            requestId,
            Optional.empty());
      }
    }
  }

  /** The service's problem as the gateway's {@link ProblemDetail}, meaning intact. */
  static ProblemDetail passThrough(
      int status, ProblemDetailsDto upstream, UnaryOperator<String> fieldNames) {
    ProblemDetail p = ProblemDetail.forStatus(status);
    if (upstream.getType() != null) {
      p.setType(URI.create(upstream.getType()));
    }
    p.setTitle(upstream.getTitle());
    p.setDetail(renameFields(upstream.getDetail(), fieldNames));
    if (upstream.getRequestId() != null) {
      p.setProperty("request_id", upstream.getRequestId());
    }
    if (upstream.getErrors() != null) {
      List<Map<String, String>> errors = new ArrayList<>();
      for (FieldErrorDto e : upstream.getErrors()) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("field", fieldNames.apply(e.getField()));
        m.put("message", e.getMessage());
        errors.add(m);
      }
      p.setProperty("errors", errors);
    }
    if (upstream.getServingModelVersion() != null) {
      p.setProperty("serving_model_version", upstream.getServingModelVersion());
    }
    return p;
  }

  private static final java.util.regex.Pattern FIELD_IN_TEXT =
      java.util.regex.Pattern.compile("data(\\[\\d+])+");

  /** Applies {@code fieldNames} to the field names a detail sentence mentions. */
  static String renameFields(String detail, UnaryOperator<String> fieldNames) {
    if (detail == null) {
      return null;
    }
    java.util.regex.Matcher m = FIELD_IN_TEXT.matcher(detail);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(fieldNames.apply(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One of the gateway's own problems. */
  public static GatewayProblem own(
      HttpStatus status,
      String type,
      String title,
      String detail,
      String upstreamRequestId,
      Optional<String> retryAfter) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setType(URI.create(TYPE_PREFIX + type));
    p.setTitle(title);
    if (upstreamRequestId != null) {
      p.setProperty("request_id", upstreamRequestId);
    }
    return new GatewayProblem(p, retryAfter);
  }

  private static ProblemDetailsDto upstreamProblem(HttpStatusCodeException http) {
    try {
      return http.getResponseBodyAs(ProblemDetailsDto.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }
}
