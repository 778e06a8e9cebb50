package io.cairn.platform.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How the shared Lettuce client behaves when Redis goes away: commands are rejected at once instead of queueing
 * until a timeout (so callers answer 503 immediately), and the client reconnects in the background every 100 ms to
 * 2 s, so service resumes within about two seconds of Redis coming back without a restart.
 *
 * <p>Lettuce's own per-command expiry (which Boot switches on) is switched off: it put a timer task on every command,
 * and an online read of 100 entities is 100 pipelined HMGETs. Every caller already bounds its wait: Spring Data's
 * connections await each reply for {@code spring.data.redis.timeout}, and the online store times a whole read once
 * ({@code cairn.features.online.timeout}).
 */
@Configuration(proxyBeanMethods = false)
class RedisClientConfiguration {

    @Bean
    LettuceClientOptionsBuilderCustomizer failFastWhenDisconnected() {
        return options -> options.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build());
    }

    @Bean
    ClientResourcesBuilderCustomizer quickReconnect() {
        return resources -> resources.reconnectDelay(
                Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS));
    }
}
