package io.cairn.features;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Feature-store settings.
 *
 * @param trainingWorkMem PostgreSQL {@code work_mem} for sorting the point-in-time join into entity-row order and an
 *                        ingestion's rows into entity order, set for that transaction only; large enough that a
 *                        training set of a million entity rows sorts in memory
 * @param vacuumAfterRows an ingestion that stores at least this many rows vacuums the view's table before it answers,
 *                        so training sets read the new rows from the index alone straight away; smaller ones leave it
 *                        to autovacuum. 0 turns it off.
 * @param trainingBackends how many PostgreSQL backends (connections) one training set's probes may use: 2 splits the
 *                        views of a request over two views or more between the request's connection and a second one
 *                        sharing its snapshot (taken only when the pool has one idle); 1 keeps every request on one
 * @param schedulePoll    how often the replica holding the scheduling lock looks for feature views whose schedule is
 *                        due; a schedule runs at most this late
 */
@ConfigurationProperties("cairn.features")
public record FeatureStoreProperties(@DefaultValue("1GB") String trainingWorkMem,
                                     @DefaultValue("100000") long vacuumAfterRows,
                                     @DefaultValue("2") int trainingBackends,
                                     @DefaultValue("15s") java.time.Duration schedulePoll) {
}
