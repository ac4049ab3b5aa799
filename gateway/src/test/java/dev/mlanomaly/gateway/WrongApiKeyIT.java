package dev.mlanomaly.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The gateway configured with the wrong API key reports its own misconfiguration. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class WrongApiKeyIT {
  static final String SERVICE_KEY = "the-services-real-key-0123456789";
  static final String GATEWAY_KEY = "a-stale-gateway-key-9876543210";
  static AnomalyServiceProcess service;

  @DynamicPropertySource
  static void anomalyService(DynamicPropertyRegistry registry) {
    service = AnomalyServiceProcess.start(Map.of("API_KEY", SERVICE_KEY));
    registry.add("anomaly-service.base-url", service::baseUrl);
    registry.add("anomaly-service.api-key", () -> GATEWAY_KEY);
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @Value("${local.server.port}")
  int port;

  @Test
  void answers502NamingTheConfigurationAndNeverLeaksEitherKey(CapturedOutput output) throws Exception {
    Http.Response r =
        Http.post(
            "http://127.0.0.1:" + port + "/api/v1/anomalies",
            "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}",
            "X-Request-Id", "it-wrong-key");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    assertThat(r.json().get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:upstream-credentials-rejected");
    assertThat(r.json().get("title").asText()).isEqualTo("Gateway misconfigured");
    assertThat(r.json().get("detail").asText()).contains("anomaly-service.api-key");
    assertThat(r.json().get("request_id").asText()).isEqualTo("it-wrong-key");
    // Not retried: a wrong key does not get better.
    assertThat(service.awaitRequestLines("it-wrong-key", 1)).hasSize(1);
    for (String key : new String[] {SERVICE_KEY, GATEWAY_KEY}) {
      assertThat(r.text()).doesNotContain(key);
      assertThat(r.headers().map().toString()).doesNotContain(key);
      assertThat(output.getAll()).doesNotContain(key);
    }
    assertThat(output.getAll()).contains("upstream-credentials-rejected");
  }
}
