package io.cairn.platform.security;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Brute-force protection for passwords: a token bucket per user name and per client address, in PostgreSQL
 * (Bucket4j's JDBC layout, table {@code login_throttle}) so every replica counts the same failures. A failed sign-in
 * takes a token from both; while either is empty, password checks for it are refused without looking at the password.
 * Only password checks that miss the credential cache come here, so a client already signed in is not slowed.
 */
@Component
class LoginThrottle {

    private final ProxyManager<String> buckets;
    private final BucketConfiguration perUser;
    private final BucketConfiguration perAddress;

    LoginThrottle(DataSource dataSource, SecurityProperties properties) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING).table("login_throttle").build();
        SecurityProperties.Throttle throttle = properties.throttle();
        this.perUser = config(throttle.failuresPerUser(), throttle.window());
        this.perAddress = config(throttle.failuresPerAddress(), throttle.window());
    }

    private static BucketConfiguration config(int failures, Duration window) {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(failures).refillGreedy(failures, window)).build();
    }

    /** Refuses the attempt (429) while the user or the address has used up its failures. */
    void check(String username, String address) {
        refuseIfEmpty(user(username), "user '" + username + "'");
        refuseIfEmpty(address(address), "address " + address);
    }

    /** Counts one failed sign-in against both. */
    void failed(String username, String address) {
        user(username).tryConsume(1);
        address(address).tryConsume(1);
    }

    private static void refuseIfEmpty(BucketProxy bucket, String who) {
        if (bucket.getAvailableTokens() < 1) {
            long seconds = Math.max(1, Duration.ofNanos(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill())
                    .toSeconds());
            throw new CairnException(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Too many failed sign-ins for " + who
                    + "; try again in " + seconds + " s.");
        }
    }

    private BucketProxy user(String username) {
        return buckets.builder().build("user:" + truncate(username), perUser);
    }

    private BucketProxy address(String address) {
        return buckets.builder().build("addr:" + truncate(address), perAddress);
    }

    private static String truncate(String s) {
        return s.length() <= 250 ? s : s.substring(0, 250);
    }
}
