package dev.mlanomaly.gateway.web;

import dev.mlanomaly.gateway.upstream.GatewayProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as {@code application/problem+json} ({@link ProblemDetail}, RFC 9457) carrying
 * {@code request_id}: the gateway's own problems, the anomaly service's passed through, and
 * Spring MVC's (malformed JSON, wrong media type...). Unexpected exceptions become a generic 500
 * whose details stay in the log.
 */
@RestControllerAdvice
public class GatewayExceptionHandler extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(GatewayExceptionHandler.class);
  private static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

  /** A failed call to the anomaly service, or a request the gateway refused itself. */
  @ExceptionHandler(GatewayProblem.Exception.class)
  ResponseEntity<ProblemDetail> gatewayProblem(GatewayProblem.Exception e, HttpServletRequest request) {
    GatewayProblem gp = e.problem();
    ProblemDetail p = gp.problem();
    complete(p, request);
    if (p.getStatus() >= 500) {
      log.warn("{} {} -> {} {}: {}", request.getMethod(), request.getRequestURI(), p.getStatus(), p.getType(), p.getDetail());
    }
    HttpHeaders headers = new HttpHeaders();
    gp.retryAfter().ifPresent(s -> headers.set(HttpHeaders.RETRY_AFTER, s));
    return ResponseEntity.status(p.getStatus()).headers(headers).contentType(PROBLEM_JSON).body(p);
  }

  /** Anything unexpected: a generic 500, details only in the log. */
  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
    log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(500), "Internal server error.");
    p.setTitle("Internal server error");
    complete(p, request);
    return ResponseEntity.status(500).contentType(PROBLEM_JSON).body(p);
  }

  /** Spring MVC's own problems (unreadable body, unsupported media type...) get the request id. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
    if (response != null && response.getBody() instanceof ProblemDetail p) {
      Object id = request.getAttribute(RequestIds.ATTRIBUTE, WebRequest.SCOPE_REQUEST);
      if (id != null && (p.getProperties() == null || !p.getProperties().containsKey("request_id"))) {
        p.setProperty("request_id", id);
      }
    }
    return response;
  }

  private static void complete(ProblemDetail p, HttpServletRequest request) {
    p.setInstance(URI.create(request.getRequestURI()));
    Object id = request.getAttribute(RequestIds.ATTRIBUTE);
    if (id != null && (p.getProperties() == null || !p.getProperties().containsKey("request_id"))) {
      p.setProperty("request_id", id);
    }
  }
}
