package dev.mlanomaly.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real anomaly service ({@code node dist/main.js} from the repository root) on a free port of
 * 127.0.0.1, its JSON log lines collected. Builds {@code dist/} first when it is missing.
 */
final class AnomalyServiceProcess implements AutoCloseable {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<JsonNode> logs = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private final String baseUrl;

  private AnomalyServiceProcess(Map<String, String> env) throws IOException, InterruptedException {
    ensureBuilt();
    ProcessBuilder pb = new ProcessBuilder(node(), "dist/main.js").directory(REPO.toFile());
    pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
    pb.environment().put("PORT", "0");
    pb.environment().put("HOST", "127.0.0.1");
    pb.environment().put("LOG_LEVEL", "info");
    pb.environment().putAll(env);
    process = pb.start();
    pump(process.getInputStream(), true);
    pump(process.getErrorStream(), false);
    JsonNode listening = awaitLog(l -> l.has("port") && l.has("msg") && l.get("msg").asText().startsWith("listening"), Duration.ofSeconds(60));
    baseUrl = "http://127.0.0.1:" + listening.get("port").asInt();
  }

  /** Starts the service with {@code env} on top of PORT=0, HOST=127.0.0.1 and LOG_LEVEL=info. */
  static AnomalyServiceProcess start(Map<String, String> env) {
    try {
      return new AnomalyServiceProcess(env);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the anomaly service", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>} */
  String baseUrl() {
    return baseUrl;
  }

  /** Every JSON log line so far. */
  List<JsonNode> logs() {
    synchronized (logs) {
      return List.copyOf(logs);
    }
  }

  /** The request lines ({@code "request completed"}) logged for {@code reqId}. */
  List<JsonNode> requestLines(String reqId) {
    return logs().stream()
        .filter(l -> reqId.equals(l.path("reqId").asText(null)) && "request completed".equals(l.path("msg").asText()))
        .toList();
  }

  /** Waits for a log line matching {@code match} (lines are flushed within a second). */
  JsonNode awaitLog(Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      Optional<JsonNode> found = logs().stream().filter(match).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("anomaly service exited " + process.exitValue() + ": " + stderr);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no matching log line within " + timeout + "; stderr: " + stderr);
  }

  /** Waits until {@code reqId} has {@code count} request lines, and returns them. */
  List<JsonNode> awaitRequestLines(String reqId, int count) throws InterruptedException {
    Instant end = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(end)) {
      List<JsonNode> lines = requestLines(reqId);
      if (lines.size() >= count) {
        Thread.sleep(1200); // one more flush interval: more lines would show up now
        return requestLines(reqId);
      }
      Thread.sleep(50);
    }
    return requestLines(reqId);
  }

  /** SIGTERM, then waits for the exit (the service drains and exits 0). */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void pump(java.io.InputStream in, boolean json) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (json) {
                    try {
                      JsonNode node = JSON.readTree(line);
                      synchronized (logs) {
                        logs.add(node);
                      }
                    } catch (IOException notJson) {
                      // framework banners and the like
                    }
                  } else {
                    synchronized (stderr) {
                      stderr.append(line).append('\n');
                    }
                  }
                }
              } catch (IOException closed) {
                // the process ended
              }
            },
            "anomaly-service-" + (json ? "stdout" : "stderr"));
    t.setDaemon(true);
    t.start();
  }

  private static String node() {
    String node = System.getenv("NODE");
    return node == null || node.isBlank() ? "node" : node;
  }

  private static synchronized void ensureBuilt() throws IOException, InterruptedException {
    if (Files.exists(REPO.resolve("dist/main.js"))) {
      return;
    }
    Process build =
        new ProcessBuilder("npx", "tsc", "-p", "tsconfig.build.json").directory(REPO.toFile()).inheritIO().start();
    if (build.waitFor() != 0) {
      throw new IllegalStateException("building the anomaly service (npx tsc) failed");
    }
  }
}
