package io.cairn.features.online;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The online store's own Redis client, apart from Spring Boot's: the health check and any other Redis user keep Boot's
 * client with Boot's defaults, and only this one is tuned for the online read path. It connects to the same Redis
 * ({@code spring.data.redis.*}: host, port, database, user, password, TLS, {@code timeout}, {@code connect-timeout}),
 * and differs in three ways:
 * <ul>
 *   <li>its connections live on the feature server's event loops ({@link FeatureServerEventLoops}), so a read whose
 *       HTTP connection sits on the same loop runs start to finish on one thread;</li>
 *   <li>Lettuce's per-command expiry (which Boot switches on) is off: it put a timer task on every command, and an
 *       online read of 100 entities is 100 pipelined HMGETs. The store bounds each read, push and materialization
 *       once ({@code cairn.features.online.timeout}), and Spring Data's connection awaits each reply for
 *       {@code spring.data.redis.timeout};</li>
 *   <li>while Redis is away commands are rejected at once rather than queued until a timeout (so the online
 *       endpoints answer 503 immediately), and it reconnects in the background every 100 ms to 2 s, so service
 *       resumes within about two seconds of Redis coming back.</li>
 * </ul>
 */
public final class OnlineRedis implements DisposableBean {

    private final ClientResources resources;
    private final ClientOptions options;
    private final LettuceConnectionFactory factory;

    /** From Boot's connection details and properties, so that it reaches the Redis Boot's client reaches. */
    static OnlineRedis from(DataRedisConnectionDetails details, DataRedisProperties properties,
                            NioEventLoopGroup loops) {
        DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
        RedisStandaloneConfiguration where = new RedisStandaloneConfiguration(standalone.getHost(),
                standalone.getPort());
        where.setDatabase(standalone.getDatabase());
        where.setUsername(details.getUsername());
        where.setPassword(RedisPassword.of(details.getPassword()));
        return new OnlineRedis(where, properties.getTimeout(), properties.getConnectTimeout(),
                properties.getSsl().isEnabled() || details.getSslBundle() != null, details.getSslBundle(),
                properties.getClientName(), loops);
    }

    /**
     * @param commandTimeout how long Spring Data's connection awaits a reply; null for Lettuce's default
     * @param connectTimeout null for Lettuce's default
     * @param sslBundle      null for the JVM's trust store
     */
    OnlineRedis(RedisStandaloneConfiguration where, Duration commandTimeout, Duration connectTimeout, boolean ssl,
                SslBundle sslBundle, String clientName, NioEventLoopGroup loops) {
        this.resources = ClientResources.builder()
                .eventLoopGroupProvider(new SharedProvider(loops))
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build());
        if (connectTimeout != null) {
            options.socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build());
        }
        if (sslBundle != null) {
            io.lettuce.core.SslOptions.Builder tls = io.lettuce.core.SslOptions.builder()
                    .keyManager(sslBundle.getManagers().getKeyManagerFactory())
                    .trustManager(sslBundle.getManagers().getTrustManagerFactory());
            if (sslBundle.getOptions().getCiphers() != null) {
                tls.cipherSuites(sslBundle.getOptions().getCiphers());
            }
            if (sslBundle.getOptions().getEnabledProtocols() != null) {
                tls.protocols(sslBundle.getOptions().getEnabledProtocols());
            }
            options.sslOptions(tls.build());
        }
        this.options = options.build();
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
                .clientResources(resources)
                .clientOptions(this.options);
        if (commandTimeout != null) {
            client.commandTimeout(commandTimeout);
        }
        if (ssl) {
            client.useSsl();
        }
        if (clientName != null) {
            client.clientName(clientName);
        }
        this.factory = new LettuceConnectionFactory(where, client.build());
        factory.afterPropertiesSet();
        factory.start();
    }

    /** The connection factory of this client (not a bean: Boot's own factory stays the application's). */
    LettuceConnectionFactory factory() {
        return factory;
    }

    ClientOptions options() {
        return options;
    }

    ClientResources resources() {
        return resources;
    }

    @Override
    public void destroy() {
        factory.destroy();
        resources.shutdown(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Hands Lettuce the feature server's group for the NIO transport, and groups of its own for anything else. */
    static final class SharedProvider implements EventLoopGroupProvider {

        private final NioEventLoopGroup shared;
        private final DefaultEventLoopGroupProvider others = new DefaultEventLoopGroupProvider(1);

        SharedProvider(NioEventLoopGroup shared) {
            this.shared = shared;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return type.isInstance(shared) ? (T) shared : others.allocate(type);
        }

        @Override
        public int threadPoolSize() {
            return shared.executorCount();
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            // The shared group outlives Lettuce; the Loops bean shuts it down.
            return group == shared ? ImmediateEventExecutor.INSTANCE.newSucceededFuture(true)
                    : others.release(group, quietPeriod, timeout, unit);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return others.shutdown(quietPeriod, timeout, unit);
        }
    }
}
