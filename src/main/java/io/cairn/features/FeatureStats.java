package io.cairn.features;

import io.cairn.features.online.RedisOnlineStore;
import io.cairn.features.store.FeatureTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Figures about a feature view for people looking at the store: how many rows it holds, its newest event (how fresh
 * it is) and how much of it is online. Each is bounded in cost whatever the view's size: the row count is
 * PostgreSQL's estimate once the table has been analysed, online coverage is measured on a sample of entities.
 */
@Service
public class FeatureStats {

    /** Entities sampled for online coverage: one Redis round trip, a ±7 % estimate at 95 % confidence. */
    public static final int COVERAGE_SAMPLE = 200;

    private final FeatureDefinitions definitions;
    private final JdbcTemplate jdbc;
    private final RedisOnlineStore online;

    public FeatureStats(FeatureDefinitions definitions, JdbcTemplate jdbc, RedisOnlineStore online) {
        this.definitions = definitions;
        this.jdbc = jdbc;
        this.online = online;
    }

    /**
     * @param rows          rows in the offline table (an estimate when {@code estimated})
     * @param newestEvent   the latest event time offline, null when empty
     * @param sampled       entities sampled for coverage (0 when the view is not online or empty)
     * @param onlinePresent of those, how many have a value online; null when Redis could not be asked
     * @param onlineError   why Redis could not be asked, else null
     */
    public record ViewStats(String view, long rows, boolean estimated, Instant newestEvent, int sampled,
                            Long onlinePresent, String onlineError) {
    }

    @Transactional(readOnly = true)
    public ViewStats stats(String viewName) {
        return stats(viewName, true);
    }

    /**
     * The same; with {@code askRedis} false the online coverage is left out with a note (a page that found Redis
     * unreachable for one view does not wait for it again for every other).
     */
    @Transactional(readOnly = true)
    public ViewStats stats(String viewName, boolean askRedis) {
        FeatureView view = definitions.view(viewName);
        Double estimate = jdbc.queryForObject("SELECT reltuples::float8 FROM pg_class WHERE oid = CAST(? AS regclass)",
                Double.class, view.tableName());
        boolean estimated = estimate != null && estimate >= 0;
        long rows;
        if (estimated) {
            rows = Math.round(estimate);
        } else {
            // Never analysed yet (a fresh view): count, but give up after a second rather than hold the page.
            jdbc.execute("SET LOCAL statement_timeout = '1s'");
            rows = jdbc.queryForObject("SELECT count(*) FROM " + view.tableName(), Long.class);
        }
        Timestamp newest = jdbc.queryForObject("SELECT max(event_timestamp) FROM " + view.tableName(),
                Timestamp.class);
        int sampled = 0;
        Long present = null;
        String error = null;
        if (view.online() && rows > 0 && !askRedis) {
            error = "Redis cannot be reached: the offline figures are shown without online coverage.";
        } else if (view.online() && rows > 0) {
            List<List<Object>> keys = sampleKeys(view);
            sampled = keys.size();
            try {
                present = online.countPresent(view, keys);
            } catch (DataAccessException | io.lettuce.core.RedisException e) {
                error = "Redis cannot be reached: the offline figures are shown without online coverage.";
            }
        }
        return new ViewStats(view.name(), rows, estimated, newest == null ? null : newest.toInstant(), sampled,
                present, error);
    }

    private List<List<Object>> sampleKeys(FeatureView view) {
        List<String> columns = view.join_keys().stream().map(k -> FeatureTables.quote(k.name())).toList();
        Set<List<Object>> keys = new LinkedHashSet<>();
        jdbc.query("SELECT " + String.join(", ", columns) + " FROM " + view.tableName() + " LIMIT "
                + COVERAGE_SAMPLE * 5, rs -> {
                    if (keys.size() < COVERAGE_SAMPLE) {
                        List<Object> key = new ArrayList<>();
                        for (int i = 0; i < columns.size(); i++) {
                            key.add(rs.getObject(i + 1));
                        }
                        keys.add(key);
                    }
                });
        return new ArrayList<>(keys);
    }
}
