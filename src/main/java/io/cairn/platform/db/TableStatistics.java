package io.cairn.platform.db;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the planner's statistics of the tables that searches filter and sort on current while they grow fast.
 * Right after a bulk load (10k runs through log-batch in a minute) autovacuum has not analysed the new rows yet, and
 * PostgreSQL plans {@code runs/search} for the table it last saw, small or empty: a nested loop over what is now a
 * hundred thousand metric rows, 415 ms at the median where the same query takes 29 ms after ANALYZE. So stores tell
 * this class how many rows they wrote; every {@code cairn.database.analyze-after-writes} rows it asks PostgreSQL for
 * the table's changes since its last ANALYZE ({@code pg_stat_user_tables.n_mod_since_analyze}, which counts every
 * replica's writes but may lag them by seconds, or this replica's own count when that is higher) and runs ANALYZE when they pass that plus {@code analyze-fraction} of the table's rows. The check
 * and the ANALYZE run on one background thread, a second after the write that crossed the mark (its transaction has
 * committed by then), never in a request; an ANALYZE that fails is logged and retried after the next writes. Analysed
 * statistics also invalidate the plans PostgreSQL cached for the old ones.
 */
@Component
public class TableStatistics implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TableStatistics.class);
    /** The tables stores may report: only these are ever named in the ANALYZE statement. */
    static final Set<String> TABLES = Set.of("runs", "latest_metrics", "run_params", "run_tags", "registered_models",
            "registered_model_tags", "model_versions", "model_version_tags");

    private final JdbcTemplate jdbc;
    private final long afterWrites;
    private final double fraction;
    private final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();
    /** This replica's writes since its last ANALYZE of the table: PostgreSQL's counter may lag them by seconds. */
    private final Map<String, AtomicLong> sinceAnalyze = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong analyses = new AtomicLong();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "table-statistics");
        t.setDaemon(true);
        return t;
    });

    @org.springframework.beans.factory.annotation.Autowired
    public TableStatistics(JdbcTemplate jdbc, DatabaseProperties properties) {
        this(jdbc, properties.analyzeAfterWrites(), properties.analyzeFraction());
    }

    public TableStatistics(JdbcTemplate jdbc, long analyzeAfterWrites, double analyzeFraction) {
        this.jdbc = jdbc;
        this.afterWrites = analyzeAfterWrites;
        this.fraction = analyzeFraction;
    }

    /** Notes that {@code rows} rows of {@code table} were inserted, updated or deleted. Cheap: one atomic add. */
    public void wrote(String table, long rows) {
        if (afterWrites <= 0 || rows <= 0) {
            return;
        }
        if (!TABLES.contains(table)) {
            throw new IllegalArgumentException("not a table whose statistics are kept: " + table);
        }
        sinceAnalyze.computeIfAbsent(table, t -> new AtomicLong()).addAndGet(rows);
        AtomicLong count = writes.computeIfAbsent(table, t -> new AtomicLong());
        long before = count.getAndAdd(rows);
        if (before / afterWrites != (before + rows) / afterWrites && pending.add(table)) {
            worker.schedule(() -> check(table), 1, TimeUnit.SECONDS);
        }
    }

    /** How many ANALYZE statements this replica has run (for tests and the log). */
    public long analyses() {
        return analyses.get();
    }

    private void check(String table) {
        pending.remove(table);
        try {
            Map<String, Object> stats = jdbc.queryForMap("""
                    SELECT coalesce(s.n_mod_since_analyze, 0) AS changed, greatest(c.reltuples, 0)::bigint AS rows
                    FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
                    WHERE c.oid = to_regclass(?)""", table);
            AtomicLong local = sinceAnalyze.get(table);
            long changed = Math.max(((Number) stats.get("changed")).longValue(), local.get());
            long rows = ((Number) stats.get("rows")).longValue();
            if (changed >= afterWrites + fraction * rows) {
                long t0 = System.nanoTime();
                long counted = local.get();
                jdbc.execute("ANALYZE " + table);
                local.addAndGet(-counted);
                analyses.incrementAndGet();
                log.debug("ANALYZE {} after {} changes to about {} rows took {} ms", table, changed, rows,
                        (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            log.warn("Checking or refreshing the statistics of table {} failed; the next writes try again", table, e);
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
