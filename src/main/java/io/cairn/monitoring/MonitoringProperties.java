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
 * @param sketchInterval     the time bucket of drift sketches: drift ranges are counted in whole buckets (a range
 *                           starts at the bucket its {@code from} falls in), and a day holds 96 buckets by default
 * @param sketchFlush        how often each replica writes its sketches of the open buckets to PostgreSQL; what a
 *                           replica saw since its last flush is lost if it dies
 * @param enabled            whether logged predictions are indexed, scored and sketched at all; off, there is no
 *                           quality, drift or guard (the prediction log itself is serving's)
 * @param window             the window the evaluation job stores quality and drift for, and raises events on;
 *                           windows are aligned to the epoch (a whole hour by default) and evaluated once closed
 * @param webhookUrl         where monitoring events are POSTed as JSON; empty sends none
 * @param skewSampleRate     the share of predictions by entity key whose served features are recomputed offline
 *                           (point in time, at the prediction's time) to measure training-serving skew; 0 turns it off
 */
@ConfigurationProperties("cairn.monitoring")
public record MonitoringProperties(@DefaultValue("90d") Duration retention,
                                   @DefaultValue("200") int bootstrapResamples,
                                   @DefaultValue("15m") Duration sketchInterval,
                                   @DefaultValue("10s") Duration sketchFlush,
                                   @DefaultValue("true") boolean enabled,
                                   @DefaultValue("1h") Duration window,
                                   @DefaultValue("") String webhookUrl,
                                   @DefaultValue("0.01") double skewSampleRate) {

    public MonitoringProperties {
        if (sketchInterval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("cairn.monitoring.sketch-interval must be at least 1m, not "
                    + sketchInterval);
        }
        if (window.compareTo(Duration.ofMinutes(1)) < 0 || window.toMillis() % sketchInterval.toMillis() != 0) {
            throw new IllegalArgumentException("cairn.monitoring.window must be at least 1m and a whole number of "
                    + "cairn.monitoring.sketch-interval (" + sketchInterval + "), not " + window);
        }
        if (!(skewSampleRate >= 0 && skewSampleRate <= 1)) {
            throw new IllegalArgumentException("cairn.monitoring.skew-sample-rate must be from 0 to 1, not "
                    + skewSampleRate);
        }
        if (bootstrapResamples < 0) {
            throw new IllegalArgumentException("cairn.monitoring.bootstrap-resamples must be 0 or more, not "
                    + bootstrapResamples);
        }
    }
}
