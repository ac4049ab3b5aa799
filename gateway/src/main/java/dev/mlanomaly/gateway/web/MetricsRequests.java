package dev.mlanomaly.gateway.web;

import dev.mlanomaly.gateway.upstream.GatewayProblem;
import dev.mlanomaly.gateway.upstream.GatewayProblems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/**
 * Checks what the gateway must know before it can build the service's request: metric values
 * are finite JSON numbers, and (for a batch, whose rows the service takes in column order) each
 * server names exactly the model's features. Everything else (feature names of a single server,
 * float32 range, row limits) is the service's to judge, and its field errors are passed through.
 */
public final class MetricsRequests {
  private MetricsRequests() {}

  /** One server's metrics as the service's {@code features} map. */
  public static Map<String, Double> features(Map<String, Object> metrics) {
    List<Map<String, String>> errors = new ArrayList<>();
    Map<String, Double> features = new LinkedHashMap<>();
    if (metrics == null || metrics.isEmpty()) {
      errors.add(error("", "must be an object naming every feature of the model"));
    } else {
      metrics.forEach((name, value) -> number(name, value, errors).ifPresent(v -> features.put(name, v)));
    }
    throwIfAny(errors);
    return features;
  }

  /** Many servers' metrics as the service's rows, in {@code featureNames} order. */
  public static List<List<Double>> rows(List<Map<String, Object>> servers, List<String> featureNames) {
    List<Map<String, String>> errors = new ArrayList<>();
    List<List<Double>> rows = new ArrayList<>();
    if (servers == null || servers.isEmpty()) {
      errors.add(error("", "must be a non-empty array of servers' metrics"));
    } else {
      for (int i = 0; i < servers.size(); i++) {
        Map<String, Object> server = servers.get(i);
        String at = "[" + i + "]";
        if (server == null) {
          errors.add(error(at, "must be an object naming every feature of the model"));
          continue;
        }
        List<Double> row = new ArrayList<>(featureNames.size());
        for (String name : featureNames) {
          if (!server.containsKey(name)) {
            errors.add(error(at + "." + name, "is required (the model's features: " + String.join(", ", featureNames) + ")"));
          } else {
            number(at + "." + name, server.get(name), errors).ifPresent(row::add);
          }
        }
        for (String name : server.keySet()) {
          if (!featureNames.contains(name)) {
            errors.add(error(at + "." + name, "is not a feature of the model (" + String.join(", ", featureNames) + ")"));
          }
        }
        rows.add(row);
      }
    }
    throwIfAny(errors);
    return rows;
  }

  private static Optional<Double> number(String field, Object value, List<Map<String, String>> errors) {
    if (!(value instanceof Number n)) {
      errors.add(error(field, "must be a number, got " + jsonType(value)));
      return Optional.empty();
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      errors.add(error(field, "must be a finite number"));
      return Optional.empty();
    }
    return Optional.of(d);
  }

  private static String jsonType(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof List) {
      return "an array";
    }
    return "an object";
  }

  private static Map<String, String> error(String field, String message) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("message", message);
    return e;
  }

  private static void throwIfAny(List<Map<String, String>> errors) {
    if (errors.isEmpty()) {
      return;
    }
    Map<String, String> first = errors.get(0);
    String detail =
        (first.get("field").isEmpty() ? "The body " : first.get("field") + " ")
            + first.get("message")
            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)." : ".");
    GatewayProblem problem =
        GatewayProblems.own(
            HttpStatus.BAD_REQUEST, "validation-error", "Invalid request", detail, null, Optional.empty());
    problem.problem().setProperty("errors", errors);
    throw new GatewayProblem.Exception(problem);
  }
}
