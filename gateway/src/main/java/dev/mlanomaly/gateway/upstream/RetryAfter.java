package dev.mlanomaly.gateway.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;

/** Reads the HTTP {@code Retry-After} header (RFC 9110, section 10.2.3). */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The wait a response asks for: delay-seconds or an HTTP date (relative to {@code now}); empty
   * when the header is absent or malformed. Never negative.
   */
  public static Optional<Duration> from(HttpHeaders headers, Instant now) {
    String value = headers == null ? null : headers.getFirst(HttpHeaders.RETRY_AFTER);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException tooLarge) {
        return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L));
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** {@code Retry-After} value in whole seconds, rounded up, at least 1. */
  public static String seconds(Duration wait) {
    long s = (wait.toMillis() + 999) / 1000;
    return Long.toString(Math.max(1, s));
  }
}
