package dev.mlanomaly.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlanomaly.gateway.upstream.ResilientCalls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With the service stopped, failures open the circuit and the gateway answers at once. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "anomaly-service.retry.backoff=10ms",
      "anomaly-service.circuit-breaker.sliding-window-size=4",
      "anomaly-service.circuit-breaker.minimum-calls=4",
      "anomaly-service.circuit-breaker.wait-in-open-state=30s"
    })
class CircuitBreakerIT {
  static final String API_KEY = "it-api-key-0123456789-abcdef";
  static AnomalyServiceProcess service;

  @DynamicPropertySource
  static void anomalyService(DynamicPropertyRegistry registry) {
    service = AnomalyServiceProcess.start(Map.of("API_KEY", API_KEY, "SHUTDOWN_GRACE_MS", "500"));
    registry.add("anomaly-service.base-url", service::baseUrl);
    registry.add("anomaly-service.api-key", () -> API_KEY);
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @Value("${local.server.port}")
  int port;

  @Autowired ResilientCalls calls;

  @Test
  void opensAfterConnectionFailuresAndAnswersFastWith503() throws Exception {
    String url = "http://127.0.0.1:" + port + "/api/v1/anomalies";
    String body = "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}";
    assertThat(Http.post(url, body).status()).isEqualTo(200);

    service.stop();
    // Each request makes up to 3 attempts, each a failure for the breaker: 4 failures (the
    // window) open it during the second request.
    Http.Response first = Http.post(url, body);
    assertThat(first.status()).isEqualTo(502);
    assertThat(first.json().get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:upstream-unreachable");
    Http.Response second = Http.post(url, body);
    assertThat(second.status()).isIn(502, 503);
    assertThat(calls.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

    long notPermittedBefore = calls.circuitBreaker().getMetrics().getNumberOfNotPermittedCalls();
    long started = System.nanoTime();
    Http.Response open = Http.post(url, body, "X-Request-Id", "it-open");
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(open.status()).isEqualTo(503);
    assertThat(open.header("Content-Type")).startsWith("application/problem+json");
    assertThat(open.json().get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:circuit-open");
    assertThat(open.json().get("request_id").asText()).isEqualTo("it-open");
    assertThat(open.header("Retry-After")).isEqualTo("30");
    // Refused by the breaker without a connection attempt, and not retried.
    assertThat(calls.circuitBreaker().getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(notPermittedBefore + 1);
    assertThat(elapsedMs).as("well under the 1 s connect timeout").isLessThan(1000);
  }
}
