package dev.mlanomaly.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The service is up without a model: the gateway retries, then answers 503 with Retry-After. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "anomaly-service.retry.max-retries=2",
      "anomaly-service.retry.max-retry-after=200ms",
      "anomaly-service.circuit-breaker.minimum-calls=100"
    })
class NoModelIT {
  static final String API_KEY = "it-api-key-0123456789-abcdef";
  static AnomalyServiceProcess service;

  @DynamicPropertySource
  static void anomalyService(DynamicPropertyRegistry registry) {
    service =
        AnomalyServiceProcess.start(Map.of("API_KEY", API_KEY, "MODEL_PATH", "/nonexistent/no-model.json"));
    registry.add("anomaly-service.base-url", service::baseUrl);
    registry.add("anomaly-service.api-key", () -> API_KEY);
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @Value("${local.server.port}")
  int port;

  @Test
  void retriesTwiceThenAnswers503WithRetryAfter() throws Exception {
    long started = System.nanoTime();
    Http.Response r =
        Http.post(
            "http://127.0.0.1:" + port + "/api/v1/anomalies",
            "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}",
            "X-Request-Id", "it-no-model");
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.header("Retry-After")).as("the service's Retry-After, passed on").isEqualTo("10");
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    JsonNode p = r.json();
    assertThat(p.get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:upstream-unavailable");
    assertThat(p.get("detail").asText()).contains("No model is loaded");
    assertThat(p.get("request_id").asText()).isEqualTo("it-no-model");
    // Three attempts reached the service, each refused with 503.
    List<JsonNode> lines = service.awaitRequestLines("it-no-model", 3);
    assertThat(lines).hasSize(3);
    assertThat(lines).allSatisfy(l -> assertThat(l.get("status").asInt()).isEqualTo(503));
    // The service asked for 10 s; the gateway waited the capped 200 ms twice, not 20 s.
    assertThat(elapsedMs).isGreaterThanOrEqualTo(400).isLessThan(10_000);
  }
}
