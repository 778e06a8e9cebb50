/** MLflow's artifact proxy ({@code /api/2.0/mlflow-artifacts/...}): the protocol edge of the artifact store. */
package io.cairn.artifacts.mlflow;
