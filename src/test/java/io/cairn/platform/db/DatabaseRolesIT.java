package io.cairn.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The audit trail holds against the server's own database role: roles and database set up with the README's SQL,
 * migrations run by Flyway as the owner role (the server's start, cut down to the data source, Flyway and
 * {@code platform.db}), the server connected as the runtime role. That role appends to and reads {@code audit_log}
 * and does the server's normal writes, but cannot update, delete, truncate, drop or alter it, drop or disable its
 * trigger, or switch to replica mode (where triggers do not fire). Before this, the server connected as the role that
 * owned the tables — {@code postgres}, a superuser — for which {@code TRUNCATE audit_log} and
 * {@code SET session_replication_role = replica} both succeed. Roles are cluster-wide, so every one here has a random
 * suffix and is dropped afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRolesIT {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final String database = "cairn_roles_" + suffix;
    private final String owner = "cairn_owner_" + suffix;
    private final String app = "cairn_app_" + suffix;
    /** Roles made by single tests, dropped with the others. */
    private final List<String> extraRoles = new ArrayList<>();

    @BeforeAll
    void setUpRolesWithTheReadmesSqlAndMigrate() throws Exception {
        try (Connection admin = connect("postgres", "postgres"); Statement st = admin.createStatement()) {
            for (String statement : readmeSql()) {
                st.execute(statement);
            }
        }
        start(app).close();
    }

    @AfterAll
    void dropDatabaseAndRoles() throws Exception {
        try (Connection admin = connect("postgres", "postgres"); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            for (String role : extraRoles) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
            st.execute("DROP ROLE IF EXISTS " + app);
            st.execute("DROP ROLE IF EXISTS " + owner);
        }
    }

    @Test
    void theReadmesSqlGivesTwoPlainRolesAndADatabaseOwnedByTheOwner() throws Exception {
        try (Connection c = connect(database, "postgres"); Statement st = c.createStatement()) {
            assertThat(value(st, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"))
                    .isEqualTo(owner);
            assertThat(value(st, "SELECT string_agg(rolname || ':' || rolsuper || rolcreaterole || rolcreatedb, ',' "
                    + "ORDER BY rolname) FROM pg_roles WHERE rolname IN ('" + owner + "', '" + app + "')"))
                    .isEqualTo(app + ":falsefalsefalse," + owner + ":falsefalsefalse");
            assertThat(value(st, "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")).isEqualTo(owner);
        }
    }

    @Test
    void theRuntimeRoleAppendsToAndReadsTheAuditTrail() throws Exception {
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            st.execute("INSERT INTO audit_log (actor, entity_type, entity_id, action) "
                    + "VALUES ('dora', 'registered_model', 'churn', 'create')");
            assertThat(value(st, "SELECT actor FROM audit_log WHERE entity_id = 'churn'")).isEqualTo("dora");
        }
    }

    @Test
    void theRuntimeRoleCannotRewriteTheAuditTrail() throws Exception {
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            st.execute("INSERT INTO audit_log (actor, entity_type, entity_id, action) "
                    + "VALUES ('erik', 'registered_model', 'fraud', 'create')");
            String rows = value(st, "SELECT count(*) FROM audit_log");
            for (String attempt : List.of(
                    "UPDATE audit_log SET actor = 'mallory'",
                    "DELETE FROM audit_log",
                    "TRUNCATE audit_log",
                    "SET session_replication_role = replica",
                    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                    "DROP TRIGGER audit_log_append_only ON audit_log",
                    "CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql "
                            + "AS $$ BEGIN RETURN NULL; END $$",
                    "DROP TABLE audit_log",
                    "ALTER TABLE audit_log RENAME TO audit_log_old",
                    "DROP TABLE experiments",
                    "ALTER TABLE experiments ADD COLUMN mallory int",
                    "TRUNCATE experiments",
                    "DELETE FROM flyway_schema_history",
                    "CREATE TABLE public.mallory (i int)",
                    "SET ROLE " + owner)) {
                assertThatThrownBy(() -> st.execute(attempt)).as(attempt)
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(INSUFFICIENT_PRIVILEGE));
            }
            assertThat(value(st, "SELECT count(*) FROM audit_log")).isEqualTo(rows);
            assertThat(value(st, "SELECT current_setting('session_replication_role')")).isEqualTo("origin");
        }
    }

    @Test
    void theRuntimeRoleDoesTheServersWrites() throws Exception {
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            // DML on every table but the audit trail and Flyway's history.
            assertThat(value(st, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    + "AND relkind = 'r'")).isNotEqualTo("0");
            assertThat(value(st, "SELECT string_agg(relname, ',') FROM pg_class WHERE relkind = 'r' "
                    + "AND relnamespace = 'public'::regnamespace "
                    + "AND relname NOT IN ('audit_log', 'flyway_schema_history') AND NOT ("
                    + "has_table_privilege(oid, 'SELECT') AND has_table_privilege(oid, 'INSERT') AND "
                    + "has_table_privilege(oid, 'UPDATE') AND has_table_privilege(oid, 'DELETE'))")).isNull();
            st.execute("INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, "
                    + "last_update_time) VALUES (nextval('experiment_id_seq'), 'roles', 'mlflow-artifacts:/x', 1, 1)");
            st.execute("UPDATE experiments SET last_update_time = 2 WHERE name = 'roles'");
            st.execute("DELETE FROM experiments WHERE name = 'roles'");

            // The feature store's offline tables, made and changed at run time (FeatureTables, TrainingSetStore).
            st.execute("CREATE TABLE feature_data.view_901 (driver_id bigint, event_timestamp timestamptz)");
            st.execute("ALTER TABLE feature_data.view_901 ADD COLUMN conv_rate double precision");
            st.execute("CREATE INDEX view_901_key_time_1 ON feature_data.view_901 (driver_id, event_timestamp) "
                    + "INCLUDE (conv_rate)");
            st.execute("INSERT INTO feature_data.view_901 VALUES (1, now(), 0.5)");
            st.execute("VACUUM (ANALYZE, SKIP_LOCKED) feature_data.view_901");
            st.execute("CREATE TABLE feature_data.training_set_901 AS SELECT * FROM feature_data.view_901");
            st.execute("DROP TABLE feature_data.training_set_901");

            c.setAutoCommit(false);
            st.execute("CREATE TEMPORARY TABLE cairn_entity_rows (row_id bigint NOT NULL) ON COMMIT DROP");
            st.execute("INSERT INTO pg_temp.cairn_entity_rows VALUES (1)");
            st.execute("ANALYZE pg_temp.cairn_entity_rows");
            c.commit();
            c.setAutoCommit(true);

            // Owning its feature tables gives it nothing on the audit trail.
            assertThatThrownBy(() -> st.execute("TRUNCATE audit_log")).isInstanceOf(SQLException.class);
        }
        // A later migration (run as the owner, like V6) can still alter a table the server made.
        try (Connection c = connect(database, owner); Statement st = c.createStatement()) {
            st.execute("CREATE INDEX view_901_by_time ON feature_data.view_901 (event_timestamp)");
        }
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            st.execute("DROP TABLE feature_data.view_901");
        }
    }

    @Test
    void tablesMadeAsTheOwnerAreGrantedOrHandedOverAtTheNextStart() throws Exception {
        try (Connection c = connect(database, owner); Statement st = c.createStatement()) {
            // As a restore with --role=<owner> leaves them, or a migration run outside the server's start.
            st.execute("CREATE TABLE feature_data.view_902 (driver_id bigint)");
            st.execute("CREATE TABLE later_table (id bigint)");
        }
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            // Default privileges cover the new table at once; the feature table waits for a start.
            st.execute("INSERT INTO later_table VALUES (1)");
        }
        start(app).close();
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            assertThat(value(st, "SELECT tableowner FROM pg_tables WHERE tablename = 'view_902'")).isEqualTo(app);
            st.execute("ALTER TABLE feature_data.view_902 ADD COLUMN conv_rate double precision");
            st.execute("DROP TABLE feature_data.view_902");
        }
        try (Connection c = connect(database, owner); Statement st = c.createStatement()) {
            st.execute("DROP TABLE later_table");
        }
    }

    @Test
    void privilegesOnTheAuditTrailGrantedByHandAreTakenBackAtTheNextStart() throws Exception {
        try (Connection c = connect(database, owner); Statement st = c.createStatement()) {
            st.execute("GRANT ALL ON audit_log, flyway_schema_history TO " + app);
        }
        start(app).close();
        try (Connection c = connect(database, app); Statement st = c.createStatement()) {
            assertThat(value(st, "SELECT has_table_privilege('audit_log', 'UPDATE') "
                    + "OR has_table_privilege('audit_log', 'DELETE') OR has_table_privilege('audit_log', 'TRUNCATE') "
                    + "OR has_table_privilege('audit_log', 'TRIGGER') "
                    + "OR has_table_privilege('flyway_schema_history', 'SELECT')")).isEqualTo("f");
            assertThatThrownBy(() -> st.execute("TRUNCATE audit_log")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void theServerDoesNotStartWhenItsRoleCouldStillRewriteTheAuditTrail() throws Exception {
        String superuser = "cairn_super_" + suffix;
        String memberOfOwner = "cairn_member_" + suffix;
        extraRoles.add(superuser);
        extraRoles.add(memberOfOwner);
        try (Connection admin = connect("postgres", "postgres"); Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + superuser + " LOGIN SUPERUSER");
            st.execute("CREATE ROLE " + memberOfOwner + " LOGIN IN ROLE " + owner);
        }
        for (String role : List.of(superuser, memberOfOwner)) {
            assertThatThrownBy(() -> start(role).close()).as(role)
                    .hasStackTraceContaining("could still change or empty audit_log");
        }
    }

    @Test
    void theServerDoesNotStartWhenTheOwnerCannotActForItsRole() throws Exception {
        String stranger = "cairn_stranger_" + suffix;
        extraRoles.add(stranger);
        try (Connection admin = connect("postgres", "postgres"); Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + stranger + " LOGIN");
        }
        assertThatThrownBy(() -> start(stranger).close())
                .hasStackTraceContaining("GRANT " + stranger + " TO " + owner);
    }

    @Test
    void oneRoleForBothKeepsWorkingAsBefore() throws Exception {
        String single = database + "_single";
        try {
            // Today's laptop setup: no spring.flyway.user, everything as postgres.
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Migrations.class)
                    .web(WebApplicationType.NONE)
                    .run("--spring.datasource.url=" + SERVER + single, "--spring.datasource.username=postgres",
                            "--spring.datasource.password=", "--spring.main.banner-mode=off")) {
                assertThat(context.getBean(Flyway.class).info().applied()).isNotEmpty();
            }
        } finally {
            try (Connection admin = connect("postgres", "postgres"); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + single + " WITH (FORCE)");
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** The server's start as far as the database goes, migrating as the owner and connecting as {@code role}. */
    private ConfigurableApplicationContext start(String role) {
        // Arguments, not default properties: they must win over application.yml and the SPRING_DATASOURCE_URL that
        // points the test run at its own database.
        return new SpringApplicationBuilder(Migrations.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + SERVER + database, "--spring.datasource.username=" + role,
                        "--spring.datasource.password=", "--spring.flyway.user=" + owner, "--spring.flyway.password=",
                        "--spring.main.banner-mode=off");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
    @Import(DatabaseBootstrapConfiguration.class)
    static class Migrations {
    }

    /** The README's role SQL, with this test's role and database names. */
    private List<String> readmeSql() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher block = Pattern.compile("## Running against an existing PostgreSQL\\n.*?```sql\\n(.*?)```",
                Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("README has the section with an sql block").isTrue();
        String sql = block.group(1).replace("cairn_owner", owner).replace("cairn_app", app)
                .replaceAll("\\bDATABASE cairn\\b", "DATABASE " + database);
        List<String> statements = new ArrayList<>();
        for (String statement : sql.split(";\\s*\\n")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        assertThat(statements).hasSize(4);
        return statements;
    }

    private static Connection connect(String database, String user) throws SQLException {
        return DriverManager.getConnection(SERVER + database, user, "");
    }

    private static String value(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
