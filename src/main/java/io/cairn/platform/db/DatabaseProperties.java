package io.cairn.platform.db;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Database settings.
 *
 * @param createIfMissing    create the configured PostgreSQL database on start when it does not exist yet, so a fresh
 *                           machine needs no manual {@code createdb}; turn off where the role may not create databases
 * @param analyzeAfterWrites rows written to a searched table (runs, metrics, params, tags, models, versions) after
 *                           which {@link TableStatistics} looks at PostgreSQL's count of changes since the table's
 *                           last ANALYZE; 0 leaves statistics to autovacuum alone
 * @param analyzeFraction    ANALYZE once the changes since the last one reach {@code analyzeAfterWrites} plus this share
 *                           of the table's rows (autovacuum's own rule is 50 plus 10 %, but it looks only once a
 *                           minute, and a search planned on a table it has not analysed yet scans it whole)
 */
@ConfigurationProperties("cairn.database")
public record DatabaseProperties(@DefaultValue("true") boolean createIfMissing,
                                 @DefaultValue("500") long analyzeAfterWrites,
                                 @DefaultValue("0.1") double analyzeFraction) {
}
