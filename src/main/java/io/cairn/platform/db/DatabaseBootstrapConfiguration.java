package io.cairn.platform.db;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class DatabaseBootstrapConfiguration {

    @Bean
    static DatabaseCreator databaseCreator(Environment environment) {
        return new DatabaseCreator(environment);
    }
}
