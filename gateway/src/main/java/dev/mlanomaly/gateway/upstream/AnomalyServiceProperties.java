package dev.mlanomaly.gateway.upstream;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the gateway reaches the anomaly service ({@code anomaly-service.*}).
 *
 * @param baseUrl where the service listens, e.g. {@code http://anomaly-service:8000}
 * @param apiKey the service's {@code API_KEY}, sent as {@code X-API-Key}; never logged or echoed
 * @param connectTimeout longest wait for a TCP connection
 * @param readTimeout longest wait for the response once the request is sent
 * @param retry which failures are retried, and how long to wait
 * @param circuitBreaker when to stop calling a failing service
 */
@ConfigurationProperties("anomaly-service")
public record AnomalyServiceProperties(
    URI baseUrl,
    String apiKey,
    @DefaultValue("1s") Duration connectTimeout,
    @DefaultValue("2s") Duration readTimeout,
    @DefaultValue Retry retry,
    @DefaultValue CircuitBreaker circuitBreaker) {

  /**
   * Retries of 503, 429 and connection failures.
   *
   * @param maxRetries retries after the first attempt
   * @param backoff wait before the first retry when the service sent no {@code Retry-After};
   *     doubled for each further retry
   * @param maxRetryAfter cap on any wait, including one asked for by {@code Retry-After}
   */
  public record Retry(
      @DefaultValue("2") int maxRetries,
      @DefaultValue("100ms") Duration backoff,
      @DefaultValue("1s") Duration maxRetryAfter) {}

  /**
   * A count-based circuit breaker over the service calls. Connection failures, timeouts and 5xx
   * answers count as failures; 4xx answers (the caller's mistakes) do not.
   *
   * @param slidingWindowSize calls the failure rate is computed over
   * @param minimumCalls calls needed before the rate is judged
   * @param failureRateThreshold percentage of failed calls that opens the circuit
   * @param waitInOpenState how long an open circuit refuses calls before it probes again
   * @param permittedCallsInHalfOpenState probe calls let through after the wait
   */
  public record CircuitBreaker(
      @DefaultValue("20") int slidingWindowSize,
      @DefaultValue("5") int minimumCalls,
      @DefaultValue("50") float failureRateThreshold,
      @DefaultValue("10s") Duration waitInOpenState,
      @DefaultValue("2") int permittedCallsInHalfOpenState) {}
}
