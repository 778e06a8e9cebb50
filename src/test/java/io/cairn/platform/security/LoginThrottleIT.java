package io.cairn.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.SecureIntegrationTest;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Failed sign-ins are throttled per user name and per address, in PostgreSQL (so replicas share the counts): a
 * throttle with small limits on the real database, since the shared secure context's limits are far above what its
 * tests send.
 */
@SecureIntegrationTest
class LoginThrottleIT {

    @Autowired
    DataSource dataSource;

    private LoginThrottle throttle(int perUser, int perAddress) {
        return new LoginThrottle(dataSource, new SecurityProperties(true, new SecurityProperties.Admin(null, null),
                Permission.READ, List.of(), Duration.ofSeconds(10), Duration.ofSeconds(2), null,
                new SecurityProperties.Oidc("preferred_username"),
                new SecurityProperties.Throttle(perUser, perAddress, Duration.ofMinutes(5)), Duration.ofHours(12)));
    }

    @Test
    void aUserIsRefusedAfterItsFailuresWhileOthersAreNot() {
        LoginThrottle throttle = throttle(3, 1000);
        String user = "victim-" + UUID.randomUUID();
        String address = "10.1.2." + (int) (Math.random() * 250);
        for (int i = 0; i < 3; i++) {
            throttle.check(user, address);
            throttle.failed(user, address);
        }
        assertThatThrownBy(() -> throttle.check(user, address))
                .isInstanceOfSatisfying(CairnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_LIMIT_EXCEEDED);
                    assertThat(e.code().httpStatus()).isEqualTo(429);
                    assertThat(e.getMessage()).contains(user).contains("try again in");
                });
        // The same user from elsewhere is refused too (the count is per user), another user is not.
        assertThatThrownBy(() -> throttle.check(user, "10.9.9.9")).isInstanceOf(CairnException.class);
        throttle.check("someone-else-" + UUID.randomUUID(), address);
        // A second throttle on the same table (another replica) sees the same count.
        assertThatThrownBy(() -> throttle(3, 1000).check(user, address)).isInstanceOf(CairnException.class);
    }

    @Test
    void anAddressIsRefusedAfterItsFailuresAcrossUserNames() {
        LoginThrottle throttle = throttle(1000, 4);
        String address = "10.7." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
        for (int i = 0; i < 4; i++) {
            String user = "sprayed-" + UUID.randomUUID();
            throttle.check(user, address);
            throttle.failed(user, address);
        }
        assertThatThrownBy(() -> throttle.check("fresh-" + UUID.randomUUID(), address))
                .isInstanceOfSatisfying(CairnException.class,
                        e -> assertThat(e.getMessage()).contains("address " + address));
        throttle.check("fresh-" + UUID.randomUUID(), "10.255.255.254");
    }
}
