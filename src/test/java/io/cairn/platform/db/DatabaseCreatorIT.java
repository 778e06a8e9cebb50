package io.cairn.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** A fresh machine needs no manual createdb: the configured database is created on first start. */
class DatabaseCreatorIT {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    @Test
    void createsTheConfiguredDatabaseWhenMissingAndLeavesAnExistingOneAlone() throws Exception {
        String name = "cairn_creator_" + System.nanoTime();
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.datasource.url", SERVER + name + "?reWriteBatchedInserts=true")
                .withProperty("spring.datasource.username", "postgres");
        try {
            assertThat(exists(name)).isFalse();
            new DatabaseCreator(environment).postProcessBeforeInitialization(new org.postgresql.ds.PGSimpleDataSource(), "ds");
            assertThat(exists(name)).isTrue();
            new DatabaseCreator(environment).postProcessBeforeInitialization(new org.postgresql.ds.PGSimpleDataSource(), "ds");
            assertThat(exists(name)).isTrue();
        } finally {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            }
        }
    }

    @Test
    void createsTheDatabaseAsTheMigrationRoleWhenOneIsSet() throws Exception {
        String name = "cairn_creator_owner_" + System.nanoTime();
        String owner = "cairn_creator_owner_" + System.nanoTime();
        // The server's role may not create databases; the one migrations run as may, and is to own it.
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.datasource.url", SERVER + name)
                .withProperty("spring.datasource.username", "cairn_no_such_role")
                .withProperty("spring.flyway.user", owner)
                .withProperty("spring.flyway.password", "");
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + owner + " LOGIN CREATEDB");
            try {
                new DatabaseCreator(environment).postProcessBeforeInitialization(
                        new org.postgresql.ds.PGSimpleDataSource(), "ds");
                try (ResultSet rs = s.executeQuery(
                        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + name + "'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(owner);
                }
            } finally {
                s.execute("DROP DATABASE IF EXISTS " + name);
                s.execute("DROP ROLE " + owner);
            }
        }
    }

    @Test
    void doesNothingWhenSwitchedOff() throws Exception {
        String name = "cairn_creator_off_" + System.nanoTime();
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.datasource.url", SERVER + name)
                .withProperty("spring.datasource.username", "postgres")
                .withProperty("cairn.database.create-if-missing", "false");
        new DatabaseCreator(environment).postProcessBeforeInitialization(new org.postgresql.ds.PGSimpleDataSource(), "ds");
        assertThat(exists(name)).isFalse();
    }

    @Test
    void readsTheDatabaseNameFromTheJdbcUrl() {
        assertThat(DatabaseCreator.databaseName("jdbc:postgresql://db:5432/cairn?ssl=true")).isEqualTo("cairn");
        assertThat(DatabaseCreator.databaseName("jdbc:postgresql://db/")).isNull();
    }

    private static boolean exists(String name) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            return rs.next();
        }
    }
}
