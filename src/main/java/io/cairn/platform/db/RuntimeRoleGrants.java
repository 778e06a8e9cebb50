package io.cairn.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After every Flyway migrate, grants the role the server connects as ({@code spring.datasource.username}) what the
 * server needs and no more, when migrations run as another role ({@code spring.flyway.user}, the owner): the audit
 * trail to append to and read, the other tables to read and write, the schema {@code feature_data} to create its
 * offline tables in. Refuses to start when that role could still change or empty {@code audit_log}.
 *
 * <p>Why code after the migrations rather than a migration: it runs at every start, so the tables of every later
 * migration are covered without each one repeating grants, a changed runtime role is granted at its first start, and
 * whatever was granted by hand is checked again; and it learns both role names from the connections themselves, so
 * there is no placeholder to keep in step with the data source settings. With one role for both (a laptop: everything
 * as {@code postgres}) it does nothing.
 */
public class RuntimeRoleGrants implements Callback {

    private static final Logger log = LoggerFactory.getLogger(RuntimeRoleGrants.class);

    /** Tables the server only appends to and reads. A migration adding another append-only table names it here. */
    static final Set<String> APPEND_ONLY = Set.of("audit_log");
    static final String FEATURE_SCHEMA = "feature_data";
    private static final List<String> DML = List.of("SELECT", "INSERT", "UPDATE", "DELETE");
    private static final List<String> APPEND = List.of("SELECT", "INSERT");
    /** Everything else a table privilege can be: none of it is the runtime role's on an append-only table. */
    private static final List<String> NOT_ON_APPEND_ONLY = List.of("UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
            "TRIGGER");
    /** Serialises replicas starting at once: concurrent GRANTs on one object fail with "tuple concurrently updated". */
    private static final long LOCK_KEY = 0x6361_6972_6e67_7274L;

    private final DataSource dataSource;

    public RuntimeRoleGrants(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public String getCallbackName() {
        return "cairn-runtime-role-grants";
    }

    @Override
    public void handle(Event event, Context context) {
        DataSource migrations = context.getConfiguration().getDataSource();
        try {
            if (migrations == dataSource) {
                noteSingleRole(context.getConnection());
                return;
            }
            String runtime;
            try (Connection server = dataSource.getConnection()) {
                runtime = single(server, "SELECT current_user");
            }
            // A connection and a transaction of our own, so the grants land together or not at all.
            try (Connection owner = migrations.getConnection()) {
                String ownerRole = single(owner, "SELECT current_user");
                if (ownerRole.equals(runtime)) {
                    noteSingleRole(owner);
                    return;
                }
                owner.setAutoCommit(false);
                try {
                    grant(owner, ownerRole, runtime, context.getConfiguration().getTable());
                    owner.commit();
                } catch (SQLException | RuntimeException e) {
                    owner.rollback();
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("Could not grant the server's database role its privileges: " + e.getMessage(),
                    e);
        }
    }

    private static void noteSingleRole(Connection connection) throws SQLException {
        // Not a warning: it is the laptop default. Shared installations get two roles from compose and the chart.
        log.info("Migrations and the server use one PostgreSQL role ({}), which owns audit_log and can empty it; "
                + "give the server a role of its own for anything shared (README: Running against an existing "
                + "PostgreSQL)", single(connection, "SELECT current_user"));
    }

    private static void grant(Connection c, String owner, String runtime, String history) throws SQLException {
        String to = " TO " + quote(runtime);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");

            // What was granted by hand on the audit trail and Flyway's history goes first, so the check below sees
            // only what this role would keep.
            for (String table : tables(c, "public")) {
                if (APPEND_ONLY.contains(table)) {
                    revokeHeld(c, table, runtime, NOT_ON_APPEND_ONLY);
                } else if (table.equals(history)) {
                    revokeHeld(c, table, runtime, List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
                            "REFERENCES", "TRIGGER"));
                }
            }
            List<String> reasons = reasonsItCouldRewriteTheAuditTrail(c, owner, runtime);
            if (!reasons.isEmpty()) {
                throw new IllegalStateException("The server's database role " + runtime + " could still change or "
                        + "empty audit_log: " + String.join("; ", reasons) + ". Connect the server as a role of its "
                        + "own (README: Running against an existing PostgreSQL)");
            }
            if (!bool(c, "SELECT pg_has_role(current_user, ?, 'MEMBER')", runtime)) {
                // Tables the server creates in feature_data are its own; later migrations (like V6) alter them.
                throw new IllegalStateException("Migrations run as " + owner + ", which must be able to act for the "
                        + "server's role " + runtime + " on the feature tables it creates: run GRANT "
                        + readable(runtime) + " TO " + readable(owner) + " as a role with CREATEROLE");
            }

            int granted = 0;
            if (!bool(c, "SELECT has_schema_privilege(?, 'public', 'USAGE')", runtime)) {
                st.execute("GRANT USAGE ON SCHEMA public" + to);
            }
            if (!bool(c, "SELECT has_schema_privilege(?, '" + FEATURE_SCHEMA + "', 'USAGE') "
                    + "AND has_schema_privilege(?, '" + FEATURE_SCHEMA + "', 'CREATE')", runtime, runtime)) {
                st.execute("GRANT USAGE, CREATE ON SCHEMA " + FEATURE_SCHEMA + to);
            }
            // Temporary tables (training sets' entity rows, staged ingestion) need TEMPORARY, which PUBLIC has unless
            // a DBA took it away; only the database's owner can give it back.
            if (bool(c, "SELECT pg_has_role(current_user, datdba, 'USAGE') AND NOT (has_database_privilege(?, "
                    + "datname, 'CONNECT') AND has_database_privilege(?, datname, 'TEMPORARY')) FROM pg_database "
                    + "WHERE datname = current_database()", runtime, runtime)) {
                st.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + quote(single(c, "SELECT current_database()"))
                        + to);
            }

            List<String> notOurs = new ArrayList<>();
            for (String table : tables(c, "public")) {
                if (!bool(c, "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                        + "WHERE oid = ('public.' || quote_ident(?))::regclass", table)) {
                    notOurs.add(table);
                    continue;
                }
                List<String> wanted = APPEND_ONLY.contains(table) ? APPEND : table.equals(history) ? List.of() : DML;
                List<String> missing = missing(c, "has_table_privilege", "public." + quote(table), runtime, wanted);
                if (!missing.isEmpty()) {
                    st.execute("GRANT " + String.join(", ", missing) + " ON public." + quote(table) + to);
                    granted++;
                }
            }
            for (String sequence : list(c, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    + "AND relkind = 'S' AND pg_has_role(current_user, relowner, 'USAGE') ORDER BY relname")) {
                List<String> missing = missing(c, "has_sequence_privilege", "public." + quote(sequence), runtime,
                        List.of("USAGE", "SELECT"));
                if (!missing.isEmpty()) {
                    st.execute("GRANT " + String.join(", ", missing) + " ON SEQUENCE public." + quote(sequence) + to);
                }
            }
            // Tables the owner makes outside a server's start (a DBA, the Flyway command line) are usable at once;
            // the next start narrows an append-only one to APPEND.
            if (!hasDefaults(c, runtime, 'r', DML)) {
                st.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + quote(owner) + " IN SCHEMA public GRANT "
                        + String.join(", ", DML) + " ON TABLES" + to);
            }
            if (!hasDefaults(c, runtime, 'S', List.of("USAGE", "SELECT"))) {
                st.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + quote(owner) + " IN SCHEMA public GRANT USAGE, "
                        + "SELECT ON SEQUENCES" + to);
            }

            // The server alters and drops its feature tables, which takes ownership: hand it those the owner made
            // (a restore run as the owner, a migration).
            int handedOver = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT c.relname, pg_has_role(current_user, c.relowner, "
                    + "'USAGE'), pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace WHERE n.nspname = '" + FEATURE_SCHEMA + "' AND c.relkind IN ('r', 'p') AND "
                    + "c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = ?) ORDER BY c.relname")) {
                ps.setString(1, runtime);
                List<String> handOver = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBoolean(2)) {
                            handOver.add(rs.getString(1));
                        } else {
                            notOurs.add(FEATURE_SCHEMA + "." + rs.getString(1) + " (owned by " + rs.getString(3) + ")");
                        }
                    }
                }
                for (String table : handOver) {
                    st.execute("ALTER TABLE " + FEATURE_SCHEMA + "." + quote(table) + " OWNER" + to);
                    handedOver++;
                }
            }
            if (!notOurs.isEmpty()) {
                log.warn("Tables {} are not the migration role {}'s, so the server's role {} was not granted them; "
                        + "see docs/operations.md (Database roles) for moving a database over", notOurs, owner,
                        runtime);
            }
            log.info("Database role {} for the server, {} for migrations: granted privileges on {} tables, handed {} "
                    + "feature tables over", runtime, owner, granted, handedOver);
        }
    }

    private static List<String> reasonsItCouldRewriteTheAuditTrail(Connection c, String owner, String runtime)
            throws SQLException {
        List<String> reasons = new ArrayList<>();
        if (bool(c, "SELECT rolsuper FROM pg_roles WHERE rolname = ?", runtime)) {
            reasons.add("it is a superuser");
        }
        if (bool(c, "SELECT pg_has_role(?, ?, 'USAGE')", runtime, owner)) {
            reasons.add("it has the privileges of the migration role " + owner);
        }
        for (String table : APPEND_ONLY) {
            List<String> held = held(c, "public." + quote(table), runtime, NOT_ON_APPEND_ONLY);
            if (!held.isEmpty()) {
                reasons.add("it holds " + String.join(", ", held) + " on " + table + " (through PUBLIC or another role)");
            }
        }
        // The owner of a schema may drop anything in it; the owner of the database owns public on PostgreSQL 15+.
        if (bool(c, "SELECT pg_has_role(?, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'", runtime)
                || bool(c, "SELECT pg_has_role(?, datdba, 'USAGE') FROM pg_database WHERE datname = "
                + "current_database()", runtime)) {
            reasons.add("it owns the database or the schema public");
        }
        // Objects it made in public could stand in for functions and operators the owner's migrations call.
        if (bool(c, "SELECT has_schema_privilege(?, 'public', 'CREATE')", runtime)) {
            reasons.add("it may create objects in the schema public (REVOKE CREATE ON SCHEMA public FROM PUBLIC)");
        }
        if (c.getMetaData().getDatabaseMajorVersion() >= 15
                && bool(c, "SELECT has_parameter_privilege(?, 'session_replication_role', 'SET')", runtime)) {
            reasons.add("it may SET session_replication_role, which switches triggers off");
        }
        return reasons;
    }

    private static void revokeHeld(Connection c, String table, String runtime, List<String> privileges)
            throws SQLException {
        // Only what was granted to the role itself can be revoked here; the rest is reported by the check.
        List<String> direct = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT a.privilege_type FROM pg_class t, "
                + "aclexplode(t.relacl) a WHERE t.oid = ('public.' || quote_ident(?))::regclass "
                + "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)")) {
            ps.setString(1, table);
            ps.setString(2, runtime);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (privileges.contains(rs.getString(1))) {
                        direct.add(rs.getString(1));
                    }
                }
            }
        }
        if (!direct.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("REVOKE " + String.join(", ", direct) + " ON public." + quote(table) + " FROM "
                        + quote(runtime));
            }
            log.warn("Revoked {} on {} from the server's database role {}", direct, table, runtime);
        }
    }

    private static boolean hasDefaults(Connection c, String runtime, char type, List<String> privileges)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT a.privilege_type) FROM pg_default_acl d, "
                + "aclexplode(d.defaclacl) a WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = "
                + "current_user) AND d.defaclnamespace = 'public'::regnamespace AND d.defaclobjtype = ? "
                + "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?) AND a.privilege_type = ANY (?)")) {
            ps.setString(1, String.valueOf(type));
            ps.setString(2, runtime);
            ps.setArray(3, c.createArrayOf("text", privileges.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == privileges.size();
            }
        }
    }

    private static List<String> tables(Connection c, String schema) throws SQLException {
        return list(c, "SELECT relname FROM pg_class WHERE relnamespace = '" + schema + "'::regnamespace "
                + "AND relkind IN ('r', 'p', 'v') ORDER BY relname");
    }

    private static List<String> missing(Connection c, String function, String object, String role,
            List<String> privileges) throws SQLException {
        List<String> missing = new ArrayList<>(privileges);
        missing.removeAll(held(c, function, object, role, privileges));
        return missing;
    }

    private static List<String> held(Connection c, String object, String role, List<String> privileges)
            throws SQLException {
        return held(c, "has_table_privilege", object, role, privileges);
    }

    /** Which of {@code privileges} the role holds on the object, in any way (directly, through PUBLIC, a role). */
    private static List<String> held(Connection c, String function, String object, String role,
            List<String> privileges) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT p FROM unnest(?::text[]) WITH ORDINALITY AS t(p, i) "
                + "WHERE " + function + "(?, ?, p) ORDER BY i")) {
            ps.setArray(1, c.createArrayOf("text", privileges.toArray()));
            ps.setString(2, role);
            ps.setString(3, object);
            List<String> held = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.add(rs.getString(1));
                }
            }
            return held;
        }
    }

    private static boolean bool(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> list(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    /** A role name as it would be typed: quoted only where PostgreSQL needs it. */
    private static String readable(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : quote(identifier);
    }

    /** A role or table name as a quoted identifier. */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
