package io.cairn.features.online;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Online-store settings.
 *
 * @param timeout         how long a read or write waits for Redis before answering 503
 * @param writeBatchSize  entities per write-script call (materialization and push)
 * @param writesInFlight  script calls sent before their replies are awaited
 * @param registryTtl     how long the online read path keeps feature-view definitions before reading them again
 */
@ConfigurationProperties("cairn.features.online")
public record OnlineStoreProperties(@DefaultValue("2s") Duration timeout, @DefaultValue("500") int writeBatchSize,
                                    @DefaultValue("8") int writesInFlight, @DefaultValue("5s") Duration registryTtl) {
}
