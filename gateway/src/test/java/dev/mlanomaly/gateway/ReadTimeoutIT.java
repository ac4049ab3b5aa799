package dev.mlanomaly.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A service that takes longer than the configured read timeout: the gateway gives up after the
 * timeout, answers 504, and does not retry (the service has the request already).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"anomaly-service.read-timeout=300ms", "anomaly-service.api-key=any-key-0123456789abcdef"})
class ReadTimeoutIT {
  static HttpServer slow;
  static final AtomicInteger calls = new AtomicInteger();

  @DynamicPropertySource
  static void slowService(DynamicPropertyRegistry registry) throws Exception {
    slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    slow.setExecutor(Executors.newCachedThreadPool());
    slow.createContext(
        "/predict",
        exchange -> {
          calls.incrementAndGet();
          try {
            Thread.sleep(3000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "{}".getBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    slow.start();
    registry.add("anomaly-service.base-url", () -> "http://127.0.0.1:" + slow.getAddress().getPort());
  }

  @AfterAll
  static void stop() {
    slow.stop(0);
  }

  @Value("${local.server.port}")
  int port;

  @Test
  void answers504AfterTheReadTimeoutWithoutRetrying() {
    long started = System.nanoTime();
    Http.Response r =
        Http.post("http://127.0.0.1:" + port + "/api/v1/anomalies", "{\"cpu_usage\": 2.1, \"memory_load\": 2.1}");
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.json().get("type").asText()).isEqualTo("urn:anomaly-gateway:problem:upstream-timeout");
    assertThat(calls.get()).isEqualTo(1);
    assertThat(elapsedMs).as("gave up before the service's 3 s answer").isLessThan(3000);
  }
}
