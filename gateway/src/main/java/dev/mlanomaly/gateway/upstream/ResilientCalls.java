package dev.mlanomaly.gateway.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.web.client.HttpStatusCodeException;

/**
 * Retry around a circuit breaker (resilience4j) for every call to the anomaly service. Each
 * attempt passes the breaker, so an open circuit ends the retries at once (its
 * {@code CallNotPermittedException} is not retried).
 */
public final class ResilientCalls {
  private final Retry retry;
  private final CircuitBreaker circuitBreaker;

  /** Builds both from the configuration; {@code clock} dates {@code Retry-After} HTTP dates. */
  public ResilientCalls(AnomalyServiceProperties properties, Clock clock) {
    AnomalyServiceProperties.Retry r = properties.retry();
    AnomalyServiceProperties.CircuitBreaker c = properties.circuitBreaker();
    this.retry =
        Retry.of(
            "anomaly-service",
            RetryConfig.custom()
                .maxAttempts(r.maxRetries() + 1)
                .retryOnException(UpstreamFailures::isRetryable)
                .intervalBiFunction(waits(r, clock))
                .build());
    this.circuitBreaker =
        CircuitBreaker.of(
            "anomaly-service",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(c.slidingWindowSize())
                .minimumNumberOfCalls(c.minimumCalls())
                .failureRateThreshold(c.failureRateThreshold())
                .waitDurationInOpenState(c.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(c.permittedCallsInHalfOpenState())
                .recordException(UpstreamFailures::isServiceFailure)
                .build());
  }

  /**
   * The wait before retry {@code attempt}: the service's {@code Retry-After} when it sent one,
   * else {@code backoff * 2^(attempt-1)}; never more than {@code maxRetryAfter}.
   */
  static <T> IntervalBiFunction<T> waits(AnomalyServiceProperties.Retry r, Clock clock) {
    return (attempt, outcome) -> {
      Duration wait = r.backoff().multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
      if (outcome.isLeft() && outcome.getLeft() instanceof HttpStatusCodeException http) {
        wait = RetryAfter.from(http.getResponseHeaders(), clock.instant()).orElse(wait);
      }
      return Math.min(wait.toMillis(), r.maxRetryAfter().toMillis());
    };
  }

  /** Runs {@code call} with retries and the circuit breaker. */
  public <T> T call(Supplier<T> call) {
    return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(circuitBreaker, call))
        .get();
  }

  /** The circuit breaker (its state is exposed for monitoring and tests). */
  public CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /** The retry (its counters are exposed for monitoring). */
  public Retry retry() {
    return retry;
  }
}
