package io.cairn.platform.db;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class DatabaseBootstrapConfiguration {

    @Bean
    static DatabaseCreator databaseCreator(Environment environment) {
        return new DatabaseCreator(environment);
    }

    @Bean
    RuntimeRoleGrants runtimeRoleGrants(DataSource dataSource) {
        return new RuntimeRoleGrants(dataSource);
    }
}
