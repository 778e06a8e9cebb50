package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import io.lettuce.core.ClientOptions;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The online store's Redis client is its own: its event loops, fail-fast and no per-command expiry apply to it alone,
 * and every other Redis user (the health check, templates) keeps Spring Boot's client with Boot's defaults.
 */
@IntegrationTest
class OnlineRedisScopeIT {

    @Autowired
    ApplicationContext context;

    @Autowired
    OnlineRedis online;

    @Autowired
    FeatureServerEventLoops.Loops loops;

    @Autowired
    StringRedisTemplate template;

    @Test
    void bootsRedisClientKeepsBootsDefaultsAndTheOnlineStoreHasItsOwn() {
        Map<String, RedisConnectionFactory> factories = context.getBeansOfType(RedisConnectionFactory.class);
        assertThat(factories).hasSize(1);
        LettuceConnectionFactory boot = (LettuceConnectionFactory) factories.values().iterator().next();
        assertThat(boot).isNotSameAs(online.factory());

        ClientOptions bootOptions = boot.getClientConfiguration().getClientOptions().orElseThrow();
        assertThat(bootOptions.getTimeoutOptions().isTimeoutCommands()).as("Boot switches per-command expiry on")
                .isTrue();
        assertThat(bootOptions.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.DEFAULT);
        assertThat(boot.getClientConfiguration().getClientResources().orElseThrow().eventLoopGroupProvider())
                .isNotInstanceOf(OnlineRedis.SharedProvider.class);

        assertThat(online.options().getTimeoutOptions().isTimeoutCommands()).isFalse();
        assertThat(online.options().getDisconnectedBehavior())
                .isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        assertThat(online.resources().eventLoopGroupProvider().allocate(NioEventLoopGroup.class))
                .as("the online store's connections live on the feature server's loops").isSameAs(loops.group);
    }

    @Test
    void bothClientsReachTheSameRedis() {
        String key = "cairn:test:scope:" + UUID.randomUUID();
        template.opsForValue().set(key, "written through Boot's client");
        try (RedisConnection connection = online.factory().getConnection()) {
            assertThat(new String(connection.stringCommands().get(key.getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8)).isEqualTo("written through Boot's client");
        } finally {
            template.delete(key);
        }
    }
}
