package io.cairn.monitoring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Monitoring settings.
 *
 * @param retention          how long monitoring keeps what it knows of a prediction and its labels (current and
 *                           replaced), counted from the prediction's time; longer than the prediction log's 30 days by
 *                           default, because labels arrive late and quality is computed from them. 0 keeps everything
 * @param bootstrapResamples resamples behind each bootstrap confidence interval of a quality metric (F1, ROC AUC,
 *                           log loss, macro-F1, MAE, RMSE, MAPE, R²); more is steadier and slower. 0 gives the value
 *                           alone, with an interval of zero width
 */
@ConfigurationProperties("cairn.monitoring")
public record MonitoringProperties(@DefaultValue("90d") Duration retention,
                                   @DefaultValue("200") int bootstrapResamples) {
}
