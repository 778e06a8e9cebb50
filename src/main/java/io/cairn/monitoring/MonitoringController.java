package io.cairn.monitoring;

import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.time.QueryInstants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A deployment's monitoring: {@code GET .../performance}, live quality per window, segment and version
 * ({@link Performance}); {@code GET .../drift}, inputs and answers against the training set ({@link Drift});
 * {@code GET .../skew}, served features against offline ones ({@link Skew}); {@code GET/PUT .../monitoring}, its
 * settings ({@link MonitoringSettings}); {@code POST .../rollback}, the primary
 * alias back to its previous version ({@link Rollback}). Reading needs READ on the deployment, changing settings EDIT. Without {@code from} and {@code to} a report covers the last 24 hours.
 */
@RestController
@CairnApi
class MonitoringController {

    static final Duration DEFAULT_RANGE = Duration.ofHours(24);

    private final Performance performance;
    private final Drift drift;
    private final MonitoringSettings settings;
    private final Rollback rollback;
    private final Skew skew;
    private final Access access;
    private final Clock clock;

    MonitoringController(Performance performance, Drift drift, MonitoringSettings settings, Rollback rollback,
                         Skew skew, Access access, Clock clock) {
        this.rollback = rollback;
        this.skew = skew;
        this.performance = performance;
        this.drift = drift;
        this.settings = settings;
        this.access = access;
        this.clock = clock;
    }

    @GetMapping("/api/v1/deployments/{name}/performance")
    Performance.Report performance(@PathVariable String name,
                                   @RequestParam(required = false) String from,
                                   @RequestParam(required = false) String to,
                                   @RequestParam(defaultValue = "1h") String window,
                                   @RequestParam(required = false) String segment,
                                   @RequestParam(required = false) String version) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        Range range = range(from, to);
        return performance.report(name, range.start(), range.end(), duration(window), segment, version(version));
    }

    @GetMapping("/api/v1/deployments/{name}/drift")
    Drift.Report drift(@PathVariable String name,
                       @RequestParam(required = false) String from,
                       @RequestParam(required = false) String to,
                       @RequestParam(required = false) String version) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        Range range = range(from, to);
        return drift.report(name, range.start(), range.end(), version(version));
    }

    @GetMapping("/api/v1/deployments/{name}/skew")
    Skew.Report skew(@PathVariable String name,
                     @RequestParam(required = false) String from,
                     @RequestParam(required = false) String to) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        Range range = range(from, to);
        return skew.report(name, range.start(), range.end());
    }

    @GetMapping("/api/v1/deployments/{name}/monitoring")
    MonitoringSettings.Settings settings(@PathVariable String name) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        return settings.get(name);
    }

    @PutMapping(path = "/api/v1/deployments/{name}/monitoring", consumes = "application/json")
    MonitoringSettings.Settings putSettings(@PathVariable String name,
                                            @RequestBody MonitoringSettings.Request request) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
        return settings.put(name, request);
    }

    /** Moving the alias back needs EDIT on the deployment and on the registered model whose alias moves. */
    @PostMapping("/api/v1/deployments/{name}/rollback")
    Rollback.RolledBack rollback(@PathVariable String name) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
        access.require(ResourceType.REGISTERED_MODEL, rollback.modelOf(name), Permission.EDIT);
        return rollback.rollback(name);
    }

    /** A report's time range: {@code to} defaults to now, {@code from} to a day before {@code to}. */
    private record Range(Instant start, Instant end) {
    }

    private Range range(String from, String to) {
        Instant end = QueryInstants.parse("to", to);
        if (end == null) {
            end = clock.instant();
        }
        Instant start = QueryInstants.parse("from", from);
        return new Range(start == null ? end.minus(DEFAULT_RANGE) : start, end);
    }

    static Duration duration(String window) {
        try {
            return DurationStyle.detectAndParse(window.strip());
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Invalid 'window' '" + window + "': use a duration such as 15m, 1h or 1d.");
        }
    }

    private static Integer version(String version) {
        if (version == null || version.isBlank()) {
            return null;
        }
        try {
            int v = Integer.parseInt(version.strip());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw CairnException.invalid("Invalid 'version' '" + version + "': give a model version number (1, 2, ...).");
    }
}
