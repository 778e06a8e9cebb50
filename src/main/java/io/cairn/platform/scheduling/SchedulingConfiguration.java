package io.cairn.platform.scheduling;

import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Scheduled jobs for every module: Spring's {@code @Scheduled}, and ShedLock so that a job that must run on one
 * replica at a time says so with {@code @SchedulerLock(name = "<module>.<job>")}. Locks are rows of the shedlock
 * table (migration V8), taken with the database's clock, so replicas whose clocks differ still agree on when a lock
 * expires. Every scheduled job in a replicated deployment should carry a lock; there is no other locking to use.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
// A job whose lock names no lockAtMostFor keeps it at most this long should its replica die mid-run.
@EnableSchedulerLock(defaultLockAtMostFor = "PT30M")
class SchedulingConfiguration {

    @Bean
    LockProvider lockProvider(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .usingDbTime()
                .build());
    }
}
