package io.cairn.serving.deployments;

import io.cairn.serving.log.PredictionLog;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code serving} component of {@code /actuator/health}, in the readiness group: serving's background work is
 * going on. DOWN when the reconciler's thread is gone or no pass has finished for a while (deployment changes no
 * longer reach this replica), or when the prediction log's writer thread is gone (predictions would be answered but
 * never logged). Both survive errors on their own; this is for when they could not.
 */
@Component("servingHealthIndicator")
class ServingHealthIndicator implements HealthIndicator {

    private final Reconciler reconciler;
    private final PredictionLog predictionLog;

    ServingHealthIndicator(Reconciler reconciler, PredictionLog predictionLog) {
        this.reconciler = reconciler;
        this.predictionLog = predictionLog;
    }

    @Override
    public Health health() {
        Optional<String> reconciling = reconciler.problem();
        Optional<String> logging = predictionLog.problem();
        Health.Builder health = reconciling.isEmpty() && logging.isEmpty() ? Health.up() : Health.down();
        return health
                .withDetail("reconciler", reconciling.orElse("last pass finished " + reconciler.millisSinceLastPass()
                        + " ms ago"))
                .withDetail("prediction_log", logging.orElse("writing"))
                .build();
    }
}
