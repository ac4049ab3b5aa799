package dev.mlanomaly.gateway.upstream;

import dev.mlanomaly.gateway.client.ApiClient;
import dev.mlanomaly.gateway.client.api.ModelApi;
import dev.mlanomaly.gateway.client.api.PredictApi;
import dev.mlanomaly.gateway.web.RequestIds;
import java.time.Clock;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The generated client, wired to Spring Boot's {@link RestClient.Builder} (so every call is
 * observed and carries W3C {@code traceparent}), with the configured timeouts, the API key and
 * the request id.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnomalyServiceProperties.class)
public class AnomalyClientConfiguration {

  /** The generated client's invoker, holding the service's address and API key. */
  @Bean
  ApiClient anomalyApiClient(RestClient.Builder builder, AnomalyServiceProperties properties) {
    if (properties.baseUrl() == null) {
      throw new IllegalStateException("anomaly-service.base-url is not set");
    }
    if (properties.apiKey() == null || properties.apiKey().isBlank()) {
      throw new IllegalStateException("anomaly-service.api-key is not set");
    }
    // Apache HttpClient 5, classic (blocking) API: the request runs on the calling thread with
    // a pooled keep-alive connection. The JDK's HttpClient hands every exchange between its
    // selector thread and an executor, which on a busy 2-core machine cost milliseconds per call.
    PoolingHttpClientConnectionManager connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                    .setSocketTimeout(Timeout.of(properties.readTimeout()))
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .setMaxConnTotal(256)
            .setMaxConnPerRoute(256)
            .build();
    CloseableHttpClient http =
        HttpClients.custom()
            .setConnectionManager(connections)
            .disableAutomaticRetries() // resilience4j decides what is retried
            .disableRedirectHandling()
            .disableCookieManagement()
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
    HttpComponentsClientHttpRequestFactory factory = new HttpComponentsClientHttpRequestFactory(http);
    factory.setReadTimeout(properties.readTimeout());
    RestClient restClient =
        builder
            .requestFactory(factory)
            .requestInterceptor(
                (request, body, execution) -> {
                  String id = RequestIds.current();
                  if (id != null) {
                    request.getHeaders().set(RequestIds.HEADER, id);
                  }
                  return execution.execute(request, body);
                })
            .build();
    ApiClient client = new ApiClient(restClient);
    client.setBasePath(properties.baseUrl().toString().replaceAll("/+$", ""));
    client.setApiKey(properties.apiKey());
    return client;
  }

  /** {@code POST /predict}, {@code POST /predict/batch}. */
  @Bean
  PredictApi predictApi(ApiClient client) {
    return new PredictApi(client);
  }

  /** {@code GET /model}. */
  @Bean
  ModelApi modelApi(ApiClient client) {
    return new ModelApi(client);
  }

  /** Retry and circuit breaker around every call. */
  @Bean
  ResilientCalls resilientCalls(AnomalyServiceProperties properties) {
    return new ResilientCalls(properties, Clock.systemUTC());
  }
}
