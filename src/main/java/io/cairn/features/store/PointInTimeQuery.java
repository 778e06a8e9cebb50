package io.cairn.features.store;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the point-in-time join as one set-based SQL statement.
 *
 * <p>For each feature view the entity rows and the view's feature rows are stacked into one timeline
 * ({@code UNION ALL}) and sorted once by (join keys, timestamp, created_timestamp), entity rows after feature rows at
 * the same timestamp (their created_timestamp is null, and nulls sort last). A running {@code count(created)} then
 * numbers the feature rows seen so far, so every entity row lands in the group opened by the latest feature row at or
 * before its timestamp, the tie going to the latest created_timestamp; {@code first_value} over that group carries the
 * feature row's values to the entity rows behind it (a feature value that is itself null stays null). Entity rows
 * before any feature row get nulls. The TTL is applied last: a picked row older than {@code ts - ttl} gives nulls
 * (the boundary counts), which is the same as picking among rows within the TTL only, since the picked row is the
 * latest. Feature rows are filtered first to the entity rows' time range and join keys.
 *
 * <p>Cost: one sort of (entity rows + matching feature rows) per view, O(L log L), instead of one index probe or a
 * fan-out join per entity row. Each view's result is joined back to the entity rows by their row number, and the
 * output comes in entity-row order.
 */
public final class PointInTimeQuery {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** The temporary table of entity rows: {@code row_id}, key columns, {@code ts}, pass-through columns. */
    public static final String ENTITY_TABLE = "pg_temp.cairn_entity_rows";

    /**
     * One view's part of the join.
     *
     * @param table          the view's table
     * @param viewKeys       the view's join-key columns
     * @param entityKeys     the entity-table columns holding those keys, in the same order
     * @param keySqlTypes    their SQL types
     * @param ttlSeconds     0 for no limit
     * @param features       the view's feature columns requested
     * @param featureSqlTypes their SQL types
     */
    public record ViewPart(String table, List<String> viewKeys, List<String> entityKeys, List<String> keySqlTypes,
                           long ttlSeconds, List<String> features, List<String> featureSqlTypes) {
    }

    /** An output column: a SQL expression over the entity table {@code e} and view results {@code v0, v1, ...}. */
    public record Output(String expression) {
    }

    private PointInTimeQuery() {
    }

    /** The entity table column for output: {@code e.<column>}. */
    public static Output entityColumn(String column) {
        return new Output("e." + column);
    }

    /** Feature {@code index} of view part {@code view}, nulled outside the view's TTL. */
    public static Output feature(int view, int index, long ttlSeconds) {
        String value = "v" + view + ".f" + index;
        if (ttlSeconds <= 0) {
            return new Output(value);
        }
        return new Output("CASE WHEN v" + view + ".fe >= e.ts - interval '" + ttlSeconds + " seconds' THEN " + value
                + " END");
    }

    /**
     * The whole statement: entity rows in {@code row_id} order with the given outputs.
     *
     * @param minTs earliest entity timestamp, maxTs latest; both null when there are no entity rows
     */
    public static String sql(List<ViewPart> views, List<Output> outputs, Instant minTs, Instant maxTs) {
        StringBuilder sql = new StringBuilder();
        if (!views.isEmpty()) {
            sql.append("WITH ");
            for (int i = 0; i < views.size(); i++) {
                if (i > 0) {
                    sql.append(",\n");
                }
                sql.append("v").append(i).append(" AS (").append(viewPart(views.get(i), minTs, maxTs)).append(")");
            }
            sql.append('\n');
        }
        List<String> select = new ArrayList<>();
        outputs.forEach(o -> select.add(o.expression()));
        sql.append("SELECT ").append(String.join(", ", select)).append("\nFROM ").append(ENTITY_TABLE).append(" e");
        for (int i = 0; i < views.size(); i++) {
            sql.append("\nLEFT JOIN v").append(i).append(" ON v").append(i).append(".row_id = e.row_id");
        }
        sql.append("\nORDER BY e.row_id");
        return sql.toString();
    }

    private static String viewPart(ViewPart v, Instant minTs, Instant maxTs) {
        List<String> keyAliases = new ArrayList<>();
        for (int i = 0; i < v.viewKeys().size(); i++) {
            keyAliases.add("j" + i);
        }
        String partition = String.join(", ", keyAliases);

        List<String> entitySide = new ArrayList<>();
        List<String> featureSide = new ArrayList<>();
        for (int i = 0; i < v.viewKeys().size(); i++) {
            entitySide.add("e." + v.entityKeys().get(i) + " AS j" + i);
            featureSide.add("f." + FeatureTables.quote(v.viewKeys().get(i)));
        }
        entitySide.add("e.ts AS t");
        featureSide.add("f.event_timestamp");
        entitySide.add("NULL::timestamptz AS created");
        featureSide.add("f.created_timestamp");
        entitySide.add("e.row_id");
        featureSide.add("NULL::bigint");
        entitySide.add("NULL::timestamptz AS fe");
        featureSide.add("f.event_timestamp");
        List<String> firstValues = new ArrayList<>();
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < v.features().size(); i++) {
            entitySide.add("NULL::" + v.featureSqlTypes().get(i) + " AS f" + i);
            featureSide.add("f." + FeatureTables.quote(v.features().get(i)));
            firstValues.add("first_value(f" + i + ") OVER w2 AS f" + i);
            picked.add("f" + i);
        }

        StringBuilder where = new StringBuilder();
        if (maxTs != null) {
            where.append(" WHERE f.event_timestamp <= ").append(literal(maxTs));
            if (v.ttlSeconds() > 0) {
                where.append(" AND f.event_timestamp >= ").append(literal(minTs)).append(" - interval '")
                        .append(v.ttlSeconds()).append(" seconds'");
            }
            List<String> fKeys = new ArrayList<>();
            v.viewKeys().forEach(k -> fKeys.add("f." + FeatureTables.quote(k)));
            where.append(" AND (").append(String.join(", ", fKeys)).append(") IN (SELECT ")
                    .append(String.join(", ", v.entityKeys())).append(" FROM ").append(ENTITY_TABLE).append(")");
        } else {
            where.append(" WHERE false");
        }

        return "SELECT row_id, fe" + (picked.isEmpty() ? "" : ", " + String.join(", ", picked)) + " FROM ("
                + "SELECT row_id, created, first_value(fe) OVER w2 AS fe"
                + (firstValues.isEmpty() ? "" : ", " + String.join(", ", firstValues)) + " FROM ("
                + "SELECT s.*, count(created) OVER w1 AS grp FROM ("
                + "SELECT " + String.join(", ", entitySide) + " FROM " + ENTITY_TABLE + " e"
                + " UNION ALL SELECT " + String.join(", ", featureSide) + " FROM " + v.table() + " f" + where
                + ") s WINDOW w1 AS (PARTITION BY " + partition + " ORDER BY t, created ROWS UNBOUNDED PRECEDING)"
                + ") g WINDOW w2 AS (PARTITION BY " + partition + ", grp ORDER BY t, created ROWS UNBOUNDED PRECEDING)"
                + ") r WHERE created IS NULL";
    }

    /** A timestamptz literal; the value comes from an Instant, never from request text. */
    public static String literal(Instant t) {
        return "'" + TS.format(LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC))
                + "+00'::timestamptz";
    }
}
