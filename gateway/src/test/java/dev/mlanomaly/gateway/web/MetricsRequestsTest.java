package dev.mlanomaly.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlanomaly.gateway.upstream.GatewayProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRequestsTest {
  @Test
  void ordersBatchRowsByTheModelsFeatureNames() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("memory_load", 5.2);
    a.put("cpu_usage", -5);
    assertThat(MetricsRequests.rows(List.of(a), List.of("cpu_usage", "memory_load")))
        .isEqualTo(List.of(List.of(-5.0, 5.2)));
  }

  @Test
  void namesEveryBadFieldOfABatch() {
    Map<String, Object> missing = Map.of("cpu_usage", 1);
    Map<String, Object> extra = Map.of("cpu_usage", 1, "memory_load", 2, "disk", 3);
    assertThatThrownBy(() -> MetricsRequests.rows(List.of(missing, extra), List.of("cpu_usage", "memory_load")))
        .isInstanceOfSatisfying(
            GatewayProblem.Exception.class,
            e -> {
              var p = e.problem().problem();
              assertThat(p.getStatus()).isEqualTo(400);
              @SuppressWarnings("unchecked")
              var errors = (List<Map<String, String>>) p.getProperties().get("errors");
              assertThat(errors).extracting(m -> m.get("field")).containsExactly("[0].memory_load", "[1].disk");
            });
  }

  @Test
  void refusesValuesThatAreNotFiniteNumbers() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", "1");
    m.put("b", null);
    m.put("c", Double.POSITIVE_INFINITY);
    m.put("d", true);
    assertThatThrownBy(() -> MetricsRequests.features(m))
        .isInstanceOfSatisfying(
            GatewayProblem.Exception.class,
            e -> {
              @SuppressWarnings("unchecked")
              var errors = (List<Map<String, String>>) e.problem().problem().getProperties().get("errors");
              assertThat(errors)
                  .extracting(x -> x.get("message"))
                  .containsExactly(
                      "must be a number, got a string",
                      "must be a number, got null",
                      "must be a finite number",
                      "must be a number, got a boolean");
            });
    assertThatThrownBy(() -> MetricsRequests.features(Map.of())).isInstanceOf(GatewayProblem.Exception.class);
  }
}
