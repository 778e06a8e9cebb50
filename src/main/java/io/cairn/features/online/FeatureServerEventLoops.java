package io.cairn.features.online;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Netty event loops of the feature server, which also carry the online store's Redis connection (its own
 * client, {@link OnlineRedis}; Boot's client, used by the health check, keeps Lettuce's own loops). Sharing them means
 * a read whose HTTP connection sits on the same loop as the Redis connection runs start to finish on one thread: its
 * HMGETs are written inline, the replies are decoded on that thread and the answer is written from there, with no
 * hand-off between threads (each hand-off wakes a sleeping thread, which on a small VM costs more than the read
 * itself).
 */
@Configuration(proxyBeanMethods = false)
class FeatureServerEventLoops {

    /** The group; shut down after Lettuce's client resources, which depend on it. */
    static final class Loops implements DisposableBean {

        final NioEventLoopGroup group;

        Loops(int threads) {
            // NioEventLoopGroup (deprecated in Netty 4.2 in favour of MultiThreadIoEventLoopGroup) because Lettuce
            // asks its provider for exactly that class on the NIO transport.
            this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("cairn-io"));
        }

        @Override
        public void destroy() {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Half the cores by default (at least one): measured on 2 cores, one loop served both read shapes better than
     * two (35 % against 31 % of raw Redis for one entity, 42 % against 38 % for 100), because with one loop every
     * read stays on the thread that owns the Redis connection, while with two half the reads cross between threads
     * twice. The other half of the cores is left to the main port, PostgreSQL work and Redis itself.
     */
    @Bean
    Loops featureServerLoops(FeatureServerProperties properties) {
        return new Loops(properties.ioThreads() > 0 ? properties.ioThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    /** The online store's Redis client, whose connections live on these loops; closed before them. */
    @Bean
    OnlineRedis onlineRedis(DataRedisConnectionDetails details, DataRedisProperties properties, Loops loops) {
        return OnlineRedis.from(details, properties, loops.group);
    }
}
