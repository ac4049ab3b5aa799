package dev.mlanomaly.gateway.upstream;

import java.util.Optional;
import org.springframework.http.ProblemDetail;

/**
 * What the gateway answers when a call to the anomaly service did not succeed.
 *
 * @param problem the RFC 9457 body (its {@code instance} is set by the web layer)
 * @param retryAfter the {@code Retry-After} header to send, in seconds, if any
 */
public record GatewayProblem(ProblemDetail problem, Optional<String> retryAfter) {

  /** Thrown by the gateway's own checks and caught by the web layer's exception handler. */
  public static final class Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient GatewayProblem problem;

    /** Wraps {@code problem}. */
    public Exception(GatewayProblem problem) {
      super(problem.problem().getDetail(), null, false, false);
      this.problem = problem;
    }

    /** The problem to answer with. */
    public GatewayProblem problem() {
      return problem;
    }
  }
}
