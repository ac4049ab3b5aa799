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

/**
 * The gateway in front of the real anomaly service (node dist/main.js, API key required): the
 * seed's examples, batches, problem pass-through, request ids, trace context and the API key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayIT {
  static final String API_KEY = "it-api-key-0123456789-abcdef";
  static AnomalyServiceProcess service;

  @DynamicPropertySource
  static void anomalyService(DynamicPropertyRegistry registry) {
    service = AnomalyServiceProcess.start(Map.of("API_KEY", API_KEY));
    registry.add("anomaly-service.base-url", service::baseUrl);
    registry.add("anomaly-service.api-key", () -> API_KEY);
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @Value("${local.server.port}")
  int port;

  String gateway(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Test
  void seedExamplesGiveMinusOneAndOne() {
    Http.Response anomaly = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": -5.5, \"memory_load\": 5.2}");
    Http.Response normal = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}");
    assertThat(anomaly.status()).isEqualTo(200);
    assertThat(anomaly.json().get("prediction_score").asInt()).isEqualTo(-1);
    assertThat(anomaly.json().get("is_anomaly").asBoolean()).isTrue();
    assertThat(normal.status()).isEqualTo(200);
    assertThat(normal.json().get("prediction_score").asInt()).isEqualTo(1);
    assertThat(normal.json().get("is_anomaly").asBoolean()).isFalse();
  }

  @Test
  void passesTheServiceFieldsThroughUnchanged() {
    String body = "{\"cpu_usage\": -5.5, \"memory_load\": 5.2}";
    JsonNode direct =
        Http.post(service.baseUrl() + "/predict", "{\"features\": " + body + "}", "X-API-Key", API_KEY).json();
    Http.Response via = Http.post(gateway("/api/v1/anomalies"), body);
    assertThat(via.json()).isEqualTo(direct);
    assertThat(via.text()).contains("\"anomaly_score\":0.7851608520150554");
  }

  @Test
  void passesExplainThroughAndTheExplanationBack() {
    String body = "{\"cpu_usage\": -5.5, \"memory_load\": 5.2}";
    JsonNode direct =
        Http.post(service.baseUrl() + "/predict", "{\"features\": " + body + ", \"explain\": true}", "X-API-Key", API_KEY)
            .json();
    Http.Response via = Http.post(gateway("/api/v1/anomalies?explain=true"), body);
    assertThat(via.status()).isEqualTo(200);
    assertThat(direct.has("explanation")).isTrue();
    assertThat(via.json()).isEqualTo(direct);
    assertThat(via.json().get("explanation").get("shap_values").get(0).isNumber()).isTrue();
    assertThat(Http.post(gateway("/api/v1/anomalies"), body).json().has("explanation")).isFalse();

    Http.Response batch =
        Http.post(gateway("/api/v1/anomalies/batch?explain=true"), "[" + body + ", {\"cpu_usage\": 2.1, \"memory_load\": 2.1}]");
    assertThat(batch.status()).isEqualTo(200);
    assertThat(batch.json().get("predictions").get(1).get("explanation").get("feature_names").get(0).asText())
        .isEqualTo("cpu_usage");
  }

  @Test
  void scoresABatchInInputOrder() {
    Http.Response r =
        Http.post(
            gateway("/api/v1/anomalies/batch"),
            "[{\"cpu_usage\": -5.5, \"memory_load\": 5.2}, {\"memory_load\": 2.1, \"cpu_usage\": 2.1}]");
    assertThat(r.status()).isEqualTo(200);
    JsonNode direct =
        Http.post(service.baseUrl() + "/predict/batch", "{\"data\": [[-5.5, 5.2], [2.1, 2.1]]}", "X-API-Key", API_KEY)
            .json();
    assertThat(r.json()).isEqualTo(direct);
    assertThat(r.json().get("predictions").get(0).get("prediction_score").asInt()).isEqualTo(-1);
    assertThat(r.json().get("predictions").get(1).get("prediction_score").asInt()).isEqualTo(1);
  }

  @Test
  void serviceValidationErrorArrivesAsProblemDetailWithFieldErrorsAndRequestId() throws Exception {
    Http.Response r =
        Http.post(
            gateway("/api/v1/anomalies"), "{\"cpu_usage\": 1e39, \"memory_load\": 2.1}", "X-Request-Id", "it-invalid-1");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    JsonNode p = r.json();
    assertThat(p.get("type").asText()).isEqualTo("urn:ml-anomaly-api:problem:validation-error");
    assertThat(p.get("title").asText()).isEqualTo("Invalid request");
    assertThat(p.get("status").asInt()).isEqualTo(400);
    assertThat(p.get("instance").asText()).isEqualTo("/api/v1/anomalies");
    assertThat(p.get("request_id").asText()).isEqualTo("it-invalid-1");
    assertThat(p.get("errors").get(0).get("field").asText()).isEqualTo("features.cpu_usage");
    assertThat(p.get("errors").get(0).get("message").asText()).contains("float32");
    // The service saw the request (and the id) and refused it itself.
    List<JsonNode> lines = service.awaitRequestLines("it-invalid-1", 1);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).get("status").asInt()).isEqualTo(400);
  }

  @Test
  void batchFieldErrorsNameTheRowAndTheMetric() {
    Http.Response r =
        Http.post(
            gateway("/api/v1/anomalies/batch"),
            "[{\"cpu_usage\": 1, \"memory_load\": 2}, {\"cpu_usage\": -1e39, \"memory_load\": 2}]");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("[1].cpu_usage");
    assertThat(r.json().get("detail").asText()).startsWith("[1].cpu_usage ");
  }

  @Test
  void metricsThatAreNotNumbersAreRefusedByTheGateway() {
    Http.Response r = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": \"high\", \"memory_load\": 2.1}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:validation-error");
    assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("cpu_usage");
    assertThat(r.json().get("errors").get(0).get("message").asText()).isEqualTo("must be a number, got a string");
    assertThat(r.json().get("request_id").asText()).isNotBlank();

    Http.Response malformed = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.header("Content-Type")).startsWith("application/problem+json");
    assertThat(malformed.json().get("request_id").asText()).isEqualTo(malformed.header("X-Request-Id"));
  }

  @Test
  void requestIdIsPassedThroughToTheServiceAndBack() throws Exception {
    Http.Response r =
        Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}", "X-Request-Id", "it-req-42");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("X-Request-Id")).isEqualTo("it-req-42");
    List<JsonNode> lines = service.awaitRequestLines("it-req-42", 1);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).get("path").asText()).isEqualTo("/predict");

    Http.Response unsafe =
        Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}", "X-Request-Id", "bad id!");
    assertThat(unsafe.header("X-Request-Id")).matches("[0-9a-f-]{36}");
  }

  @Test
  void aKnownTraceparentShowsTheSameTraceIdInTheServiceLogLine() throws Exception {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String parentSpan = "b7ad6b7169203331";
    Http.Response r =
        Http.post(
            gateway("/api/v1/anomalies"),
            "{\"cpu_usage\": -5.5, \"memory_load\": 5.2}",
            "traceparent", "00-" + traceId + "-" + parentSpan + "-01",
            "X-Request-Id", "it-trace-1");
    assertThat(r.status()).isEqualTo(200);
    JsonNode line = service.awaitRequestLines("it-trace-1", 1).get(0);
    assertThat(line.get("trace_id").asText()).isEqualTo(traceId);
    // The service's span is a new one (a child of the gateway's client span), not the caller's.
    assertThat(line.get("span_id").asText()).matches("[0-9a-f]{16}").isNotEqualTo(parentSpan);
  }

  @Test
  void theApiKeyIsSentByTheGatewayAndNeverShown() {
    Http.Response direct = Http.post(service.baseUrl() + "/predict", "{\"data\": [2.1, 2.1]}");
    assertThat(direct.status()).as("the service requires the key").isEqualTo(401);
    Http.Response ok = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}");
    Http.Response bad = Http.post(gateway("/api/v1/anomalies"), "{\"cpu_usage\": 2.1}");
    assertThat(ok.status()).isEqualTo(200);
    for (Http.Response r : List.of(ok, bad)) {
      assertThat(r.text()).doesNotContain(API_KEY);
      assertThat(r.headers().map().toString()).doesNotContain(API_KEY);
    }
  }

  @Test
  void healthAndApiDocs() {
    Http.Response health = Http.get(gateway("/actuator/health"));
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("UP");
    Http.Response docs = Http.get(gateway("/v3/api-docs"));
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.json().get("paths").has("/api/v1/anomalies")).isTrue();
    assertThat(docs.json().get("paths").has("/api/v1/anomalies/batch")).isTrue();
  }
}
