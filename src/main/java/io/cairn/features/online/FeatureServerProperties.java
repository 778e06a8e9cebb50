package io.cairn.features.online;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The feature server: Feast's endpoints on their own port, served by Netty (see {@link FeatureServer}).
 *
 * @param enabled         false serves the Feast endpoints only on the main port
 * @param address         the address to listen on
 * @param port            Feast's default feature-server port; 0 picks a free one (tests)
 * @param ioThreads       Netty event loops, shared with Lettuce; 0 means half the available processors, at least one
 * @param blockingThreads threads for push, materialize and the rare definition reload, which block on PostgreSQL
 * @param maxRequestSize  larger bodies are refused with 413 (a push carries its rows in the body)
 */
@ConfigurationProperties("cairn.features.server")
public record FeatureServerProperties(@DefaultValue("true") boolean enabled, @DefaultValue("0.0.0.0") String address,
                                      @DefaultValue("6566") int port, @DefaultValue("0") int ioThreads,
                                      @DefaultValue("8") int blockingThreads,
                                      @DefaultValue("64MB") DataSize maxRequestSize) {
}
