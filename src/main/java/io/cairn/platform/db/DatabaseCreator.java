package io.cairn.platform.db;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.Environment;

/**
 * Creates the application's PostgreSQL database before the pool's first connection when it does not exist, by
 * connecting to the server's {@code postgres} maintenance database with the credentials migrations run with
 * ({@code spring.flyway.user} when set, else the data source's).
 */
public class DatabaseCreator implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCreator.class);

    private final Environment environment;
    private boolean done;

    public DatabaseCreator(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource && !done
                && environment.getProperty("cairn.database.create-if-missing", Boolean.class, true)) {
            done = true;
            String url = environment.getProperty("spring.datasource.url");
            if (url != null && url.startsWith("jdbc:postgresql://")) {
                // Whoever creates the database owns it, and with it the schema public: that must be the role that
                // owns the tables, never the server's restricted role (see RuntimeRoleGrants).
                String flywayUser = environment.getProperty("spring.flyway.user");
                if (flywayUser != null) {
                    createIfMissing(url, flywayUser, environment.getProperty("spring.flyway.password"));
                } else {
                    createIfMissing(url, environment.getProperty("spring.datasource.username"),
                            environment.getProperty("spring.datasource.password"));
                }
            }
        }
        return bean;
    }

    static String databaseName(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String path = uri.getPath();
        return path == null || path.length() <= 1 ? null : path.substring(1);
    }

    private static void createIfMissing(String jdbcUrl, String user, String password) {
        String database = databaseName(jdbcUrl);
        if (database == null || database.equals("postgres")) {
            return;
        }
        String maintenanceUrl = jdbcUrl.replaceFirst("/" + java.util.regex.Pattern.quote(database) + "(\\?|$)", "/postgres$1");
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        try (Connection connection = DriverManager.getConnection(maintenanceUrl, props)) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, database);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                log.info("Created PostgreSQL database {}", database);
            }
        } catch (SQLException e) {
            // Not fatal here: the pool reports the real problem (missing database, bad credentials) on first use.
            if (!"42P04".equals(e.getSQLState())) {
                log.warn("Could not check or create database {}: {}", database, e.getMessage());
            }
        }
    }
}
