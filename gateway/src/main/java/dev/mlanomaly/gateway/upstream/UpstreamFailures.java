package dev.mlanomaly.gateway.upstream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;

/**
 * Pure classification of what a call to the anomaly service can throw: which failures are
 * retried, which count against the circuit breaker, and which were timeouts.
 */
public final class UpstreamFailures {
  private UpstreamFailures() {}

  /**
   * Retried: 503 (no model, or draining), 429 (rate limited) and connection failures. A read
   * timeout is not retried: the service got the request and is slow, and waiting again would
   * triple the caller's wait. {@code /predict} has no side effects, so a retry is always safe.
   */
  public static boolean isRetryable(Throwable e) {
    if (e instanceof HttpStatusCodeException http) {
      int status = http.getStatusCode().value();
      return status == HttpStatus.SERVICE_UNAVAILABLE.value()
          || status == HttpStatus.TOO_MANY_REQUESTS.value();
    }
    return e instanceof ResourceAccessException && !isReadTimeout(e);
  }

  /**
   * Counted as a failure by the circuit breaker: connection failures, timeouts and 5xx answers.
   * A 4xx is the caller's (or the gateway's configuration's) problem, not the service's health.
   */
  public static boolean isServiceFailure(Throwable e) {
    return e instanceof ResourceAccessException || e instanceof HttpServerErrorException;
  }

  /** Whether {@code e} is a timeout while waiting for the response (not while connecting). */
  public static boolean isReadTimeout(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof HttpConnectTimeoutException) {
        return false;
      }
      if (c instanceof HttpTimeoutException) {
        return true;
      }
      if (c instanceof SocketTimeoutException s) {
        return s.getMessage() == null || !s.getMessage().toLowerCase().contains("connect");
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** Whether {@code e} is any timeout (connect or read). */
  public static boolean isTimeout(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof HttpTimeoutException || c instanceof SocketTimeoutException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** Whether {@code e} wraps an I/O failure (for log messages). */
  public static boolean isIo(Throwable e) {
    return e instanceof ResourceAccessException && e.getCause() instanceof IOException;
  }
}
