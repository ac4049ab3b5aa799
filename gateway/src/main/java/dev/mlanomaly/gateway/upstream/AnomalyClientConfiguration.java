package dev.mlanomaly.gateway.upstream;

import dev.mlanomaly.gateway.client.ApiClient;
import dev.mlanomaly.gateway.client.api.ModelApi;
import dev.mlanomaly.gateway.client.api.PredictApi;
import dev.mlanomaly.gateway.web.RequestIds;
import java.net.http.HttpClient;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
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
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
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
