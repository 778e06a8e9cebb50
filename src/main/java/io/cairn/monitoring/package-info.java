/**
 * Monitoring: what happens after a prediction. It learns of predictions only from serving's public
 * {@link io.cairn.serving.PredictionsLogged} event (into its own {@code monitored_predictions}), and stores the ground
 * truth that arrives later ({@code POST /api/v1/deployments/{name}/ground-truth}). Live quality, drift, skew and
 * guarded canaries build on these (issue #15).
 */
package io.cairn.monitoring;
