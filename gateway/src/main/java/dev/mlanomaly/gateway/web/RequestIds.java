package dev.mlanomaly.gateway.web;

import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/** The request id shared by the gateway and the anomaly service ({@code X-Request-Id}). */
public final class RequestIds {
  /** Header carrying the id, in both directions and to the anomaly service. */
  public static final String HEADER = "X-Request-Id";

  /** Request attribute holding the current request's id. */
  public static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

  /** The ids the anomaly service accepts verbatim (the same rule, so both log the same id). */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private RequestIds() {}

  /** The caller's id when it is safe to log and echo, else a new UUID. */
  public static String accept(String header) {
    return header != null && SAFE_ID.matcher(header).matches()
        ? header
        : UUID.randomUUID().toString();
  }

  /** The id of the request being served on this thread, if any. */
  public static String current() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    Object id =
        attributes == null
            ? null
            : attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    return id instanceof String s ? s : null;
  }
}
