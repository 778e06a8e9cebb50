package io.cairn.monitoring;

import io.cairn.platform.audit.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * What monitoring raises when a deployment crosses a threshold: a row in {@code monitoring_events}, an audit entry
 * (action {@code monitoring-<kind>}), the counter {@code cairn_monitoring_events_total{deployment, kind}} and, when
 * {@code cairn.monitoring.webhook-url} is set, a JSON POST to it (5 s timeout; a failure is logged and counted in
 * {@code cairn_monitoring_webhook_failures_total}, and never stops the job).
 */
@Component
class MonitoringEvents {

    private static final Logger log = LoggerFactory.getLogger(MonitoringEvents.class);
    static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(5);

    /** An event: what kind, for which version and window, and the evidence. */
    record Event(String deployment, String kind, Integer version, Instant windowStart, Map<String, Object> detail) {
    }

    private final JdbcTemplate jdbc;
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final Clock clock;
    private final URI webhook;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    MonitoringEvents(JdbcTemplate jdbc, AuditLog audit, MeterRegistry meters, Clock clock,
                     MonitoringProperties properties) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.meters = meters;
        this.clock = clock;
        this.webhook = properties.webhookUrl() == null || properties.webhookUrl().isBlank() ? null
                : URI.create(properties.webhookUrl().strip());
        this.http = webhook == null ? null : HttpClient.newBuilder().connectTimeout(WEBHOOK_TIMEOUT).build();
    }

    /**
     * Records the event and audits it, in the caller's transaction or else in its own; returns it as the webhook will
     * see it.
     */
    @Transactional
    public Map<String, Object> raise(Event e) {
        Instant now = clock.instant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deployment", e.deployment());
        body.put("kind", e.kind());
        body.put("version", e.version() == null ? null : Integer.toString(e.version()));
        body.put("window_start", e.windowStart());
        body.put("raised_at", now);
        body.put("detail", e.detail());
        jdbc.update("""
                INSERT INTO monitoring_events (deployment, kind, version, window_start, detail, raised_at)
                VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?)""", e.deployment(), e.kind(), e.version(),
                e.windowStart() == null ? null : Timestamp.from(e.windowStart()), json.writeValueAsString(e.detail()),
                Timestamp.from(now));
        audit.record("deployment", e.deployment(), "monitoring-" + e.kind(), null, body);
        Counter.builder("cairn.monitoring.events").description("Thresholds crossed by deployments (drift, quality, "
                + "canary guard)").tag("deployment", e.deployment()).tag("kind", e.kind()).register(meters).increment();
        return body;
    }

    /** Sends an event to the webhook, if one is set; after the caller's transaction committed. */
    void notify(Map<String, Object> event) {
        if (webhook == null) {
            return;
        }
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(webhook).timeout(WEBHOOK_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(event))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() >= 300) {
                failed("answered " + r.statusCode(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed("was interrupted", e);
        } catch (Exception e) {
            failed("failed", e);
        }
    }

    private void failed(String what, Exception e) {
        Counter.builder("cairn.monitoring.webhook.failures").description("Monitoring events the webhook did not take")
                .register(meters).increment();
        log.warn("The monitoring webhook {} {}", webhook, what, e);
    }
}
