/**
 * Experiment tracking: experiments, runs, params, metrics, tags and dataset inputs.
 * The services in this package are the module's API; {@code mlflow} is its MLflow REST edge,
 * {@code store} its persistence and {@code search} the MLflow filter grammar.
 */
package io.cairn.tracking;
