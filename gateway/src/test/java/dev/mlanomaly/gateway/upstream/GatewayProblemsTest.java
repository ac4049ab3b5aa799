package dev.mlanomaly.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;

class GatewayProblemsTest {
  static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

  static HttpHeaders headers(String... kv) {
    HttpHeaders h = new HttpHeaders();
    for (int i = 0; i < kv.length; i += 2) {
      h.add(kv[i], kv[i + 1]);
    }
    return h;
  }

  @Test
  void classifiesWhatIsRetriedAndWhatCountsAgainstTheService() {
    var unavailable = HttpServerErrorException.create(HttpStatus.SERVICE_UNAVAILABLE, "", headers(), null, null);
    var limited = HttpClientErrorException.create(HttpStatus.TOO_MANY_REQUESTS, "", headers(), null, null);
    var invalid = HttpClientErrorException.create(HttpStatus.BAD_REQUEST, "", headers(), null, null);
    var failed = HttpServerErrorException.create(HttpStatus.INTERNAL_SERVER_ERROR, "", headers(), null, null);
    var refused = new ResourceAccessException("I/O", new ConnectException("Connection refused"));
    var connectTimeout = new ResourceAccessException("I/O", new HttpConnectTimeoutException("connect"));
    var readTimeout = new ResourceAccessException("I/O", new HttpTimeoutException("request timed out"));

    assertThat(List.of(unavailable, limited, refused, connectTimeout)).allMatch(UpstreamFailures::isRetryable);
    assertThat(List.of(invalid, failed, readTimeout)).noneMatch(UpstreamFailures::isRetryable);
    assertThat(List.of(unavailable, failed, refused, readTimeout)).allMatch(UpstreamFailures::isServiceFailure);
    assertThat(List.of(invalid, limited)).noneMatch(UpstreamFailures::isServiceFailure);
  }

  @Test
  void passesTheServiceProblemThroughRenamingBatchFields() {
    String body =
        "{\"type\":\"urn:ml-anomaly-api:problem:validation-error\",\"title\":\"Invalid request\",\"status\":400,"
            + "\"detail\":\"data[1][0] must be a number.\",\"instance\":\"/predict/batch\",\"request_id\":\"r-1\","
            + "\"errors\":[{\"field\":\"data[1][0]\",\"message\":\"must be a number\"}]}";
    var e =
        HttpClientErrorException.create(
            HttpStatus.BAD_REQUEST, "", headers(), body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    e.setBodyConvertFunction(
        rt -> {
          try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(body, dev.mlanomaly.gateway.client.model.ProblemDetailsDto.class);
          } catch (Exception ex) {
            throw new IllegalStateException(ex);
          }
        });
    UnaryOperator<String> names = AnomalyScoring.rowFields(List.of("cpu_usage", "memory_load"));
    ProblemDetail p = GatewayProblems.from(e, Duration.ofSeconds(10), names, NOW).problem();
    assertThat(p.getStatus()).isEqualTo(400);
    assertThat(p.getType().toString()).isEqualTo("urn:ml-anomaly-api:problem:validation-error");
    assertThat(p.getDetail()).isEqualTo("[1].cpu_usage must be a number.");
    assertThat(p.getProperties()).containsEntry("request_id", "r-1");
    assertThat(p.getProperties().get("errors"))
        .isEqualTo(List.of(Map.of("field", "[1].cpu_usage", "message", "must be a number")));
  }

  @Test
  void mapsFailuresToTheGatewaysOwnProblems() {
    var unavailable =
        HttpServerErrorException.create(HttpStatus.SERVICE_UNAVAILABLE, "", headers("Retry-After", "10"), null, null);
    GatewayProblem p503 = GatewayProblems.from(unavailable, Duration.ofSeconds(5), s -> s, NOW);
    assertThat(p503.problem().getStatus()).isEqualTo(503);
    assertThat(p503.retryAfter()).contains("10");

    var failed = HttpServerErrorException.create(HttpStatus.INTERNAL_SERVER_ERROR, "", headers(), null, null);
    assertThat(GatewayProblems.from(failed, Duration.ofSeconds(5), s -> s, NOW).problem().getStatus()).isEqualTo(502);

    var unauthorized = HttpClientErrorException.create(HttpStatus.UNAUTHORIZED, "", headers(), null, null);
    assertThat(GatewayProblems.from(unauthorized, Duration.ofSeconds(5), s -> s, NOW).problem().getType().toString())
        .isEqualTo("urn:anomaly-gateway:problem:upstream-credentials-rejected");

    var readTimeout = new ResourceAccessException("I/O", new HttpTimeoutException("request timed out"));
    assertThat(GatewayProblems.from(readTimeout, Duration.ofSeconds(5), s -> s, NOW).problem().getStatus())
        .isEqualTo(504);

    var open = CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("t"));
    GatewayProblem circuit = GatewayProblems.from(open, Duration.ofMillis(7500), s -> s, NOW);
    assertThat(circuit.problem().getStatus()).isEqualTo(503);
    assertThat(circuit.retryAfter()).contains("8");
  }

  @Test
  void retryWaitsHonourRetryAfterUpToTheCap() {
    var r = new AnomalyServiceProperties.Retry(2, Duration.ofMillis(100), Duration.ofSeconds(1));
    var waits = ResilientCalls.<Object>waits(r, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
    var asksTwo =
        HttpServerErrorException.create(HttpStatus.SERVICE_UNAVAILABLE, "", headers("Retry-After", "2"), null, null);
    var asksHalf =
        HttpServerErrorException.create(
            HttpStatus.SERVICE_UNAVAILABLE, "", headers("Retry-After", "Fri, 04 Dec 2026 10:00:00 GMT"), null, null);
    var noHeader = new ResourceAccessException("I/O", new ConnectException("refused"));
    assertThat(waits.apply(1, io.github.resilience4j.core.functions.Either.left(asksTwo))).isEqualTo(1000L);
    assertThat(waits.apply(1, io.github.resilience4j.core.functions.Either.left(asksHalf))).isEqualTo(0L);
    assertThat(waits.apply(1, io.github.resilience4j.core.functions.Either.left(noHeader))).isEqualTo(100L);
    assertThat(waits.apply(2, io.github.resilience4j.core.functions.Either.left(noHeader))).isEqualTo(200L);
  }
}
