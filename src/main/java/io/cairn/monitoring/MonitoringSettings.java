package io.cairn.monitoring;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSets;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.web.CurrentActor;
import io.cairn.serving.DeploymentCatalog;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deployment's monitoring settings ({@code GET/PUT /api/v1/deployments/{name}/monitoring}): the training set its
 * drift is measured against, when not the one on its version's lineage, and its drift rule.
 *
 * <p>The drift rule names, for numeric and for categorical columns, a test and its threshold: {@code ks} or
 * {@code chi2} drift when the p-value is below the threshold; {@code wasserstein}, {@code js} and {@code psi} when
 * the statistic is above it. {@code auto} (the default) is Evidently's preset: with at most 1000 reference rows KS
 * (numeric) or chi-square (categorical) at p &lt; 0.05, above that normalised Wasserstein or Jensen–Shannon distance
 * &gt; 0.1. The dataset drifts when at least {@code share} (default 0.5) of its features do. An optional quality
 * threshold ({@link QualityThreshold}) makes the evaluation job raise an event when a window's quality crosses it.
 */
@Service
public class MonitoringSettings {

    static final int SMALL_REFERENCE = 1000;

    /** A test and its threshold; {@code method} {@code auto} has no threshold. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Test(String method, Double threshold,
                       @JsonIgnore @JsonAnySetter Map<String, Object> unknown) {
        static final Test AUTO = new Test("auto", null);

        public Test(String method, Double threshold) {
            this(method, threshold, null);
        }
    }

    /** How a column, and the dataset, count as drifted. */
    public record DriftRule(Test numeric, Test categorical, double share) {
        static final DriftRule DEFAULT = new DriftRule(Test.AUTO, Test.AUTO, 0.5);
    }

    /**
     * A quality threshold: the evaluation job raises an event when a window's {@code metric} falls below {@code min}
     * (for metrics where higher is better) or rises above {@code max} (errors such as {@code mae}); one of the two.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QualityThreshold(String metric, Double min, Double max,
                                   @JsonIgnore @JsonAnySetter Map<String, Object> unknown) {

        public QualityThreshold(String metric, Double min, Double max) {
            this(metric, min, max, null);
        }

        /** Whether a value is on the wrong side of the threshold. */
        boolean breachedBy(double value) {
            return min != null ? value < min : value > max;
        }
    }

    /** The settings as stored and answered. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Settings(String deployment, String reference_training_set, DriftRule drift,
                           QualityThreshold quality) {
    }

    /** A PUT body; absent parts keep their defaults. */
    public record Request(String reference_training_set, DriftRequest drift, QualityThreshold quality,
                          @JsonAnySetter Map<String, Object> unknown) {
    }

    /** The drift rule of a PUT body. */
    public record DriftRequest(Test numeric, Test categorical, Double share,
                               @JsonAnySetter Map<String, Object> unknown) {
    }

    static final List<String> METRICS = List.of("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss",
            "positive_rate", "macro_f1", "mae", "rmse", "mape", "r2");

    private static final Map<String, List<String>> METHODS = Map.of(
            "numeric", List.of("auto", "ks", "wasserstein", "psi"),
            "categorical", List.of("auto", "chi2", "js", "psi"));

    private final JdbcTemplate jdbc;
    private final DeploymentCatalog deployments;
    private final TrainingSets trainingSets;
    private final AuditLog audit;
    private final Access access;
    private final JsonMapper json = JsonMapper.builder().build();

    MonitoringSettings(JdbcTemplate jdbc, DeploymentCatalog deployments, TrainingSets trainingSets, AuditLog audit,
                       Access access) {
        this.access = access;
        this.jdbc = jdbc;
        this.deployments = deployments;
        this.trainingSets = trainingSets;
        this.audit = audit;
    }

    public Settings get(String deployment) {
        if (!deployments.exists(deployment)) {
            throw CairnException.notFound("Deployment '" + deployment + "' does not exist.");
        }
        return stored(deployment).orElse(new Settings(deployment, null, DriftRule.DEFAULT, null));
    }

    private Optional<Settings> stored(String deployment) {
        return jdbc.query("""
                SELECT reference_training_set, drift_rule::text, quality_threshold::text FROM monitoring_settings
                WHERE deployment = ?""", (rs, i) -> new Settings(deployment, rs.getString(1),
                        rs.getString(2) == null ? DriftRule.DEFAULT : json.readValue(rs.getString(2), DriftRule.class),
                        rs.getString(3) == null ? null : json.readValue(rs.getString(3), QualityThreshold.class)),
                deployment).stream().findFirst();
    }

    @Transactional
    public Settings put(String deployment, Request request) {
        Settings before = get(deployment);
        refuseUnknown("", request.unknown(), "reference_training_set, drift, quality");
        String reference = null;
        if (request.reference_training_set() != null && !request.reference_training_set().isBlank()) {
            SavedTrainingSet set;
            try {
                set = trainingSets.saved(request.reference_training_set().strip());
            } catch (CairnException e) {
                throw CairnException.invalid("reference_training_set: " + e.getMessage());
            }
            // Naming a set for drift shows its histograms to whoever reads the deployment's drift.
            access.require(ResourceType.TRAINING_SET, set.name(), Permission.READ);
            reference = set.id();
        }
        DriftRule rule = rule(request.drift());
        QualityThreshold quality = quality(request.quality());
        Settings after = new Settings(deployment, reference, rule, quality);
        jdbc.update("""
                INSERT INTO monitoring_settings (deployment, reference_training_set, drift_rule, quality_threshold,
                                                 updated_at, updated_by)
                VALUES (?, ?, CAST(? AS jsonb), CAST(? AS jsonb), now(), ?)
                ON CONFLICT (deployment) DO UPDATE SET reference_training_set = EXCLUDED.reference_training_set,
                    drift_rule = EXCLUDED.drift_rule, quality_threshold = EXCLUDED.quality_threshold,
                    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""", deployment, reference,
                json.writeValueAsString(rule), quality == null ? null : json.writeValueAsString(quality),
                CurrentActor.name());
        audit.record("deployment", deployment, "monitoring-settings", before, after);
        return after;
    }

    private static void refuseUnknown(String where, Map<String, Object> unknown, String known) {
        if (unknown != null && !unknown.isEmpty()) {
            throw CairnException.invalid("Unknown field(s) " + new TreeSet<>(unknown.keySet()) + (where.isEmpty() ? ""
                    : " in " + where) + "; the fields are " + known + ".");
        }
    }

    private static QualityThreshold quality(QualityThreshold q) {
        if (q == null) {
            return null;
        }
        refuseUnknown("quality", q.unknown(), "metric, min, max");
        if (q.metric() == null || !METRICS.contains(q.metric())) {
            throw CairnException.invalid("quality.metric must be one of " + METRICS + ", not '" + q.metric() + "'.");
        }
        if ((q.min() == null) == (q.max() == null)) {
            throw CairnException.invalid("quality needs exactly one of min (alert below it) and max (alert above it).");
        }
        Double bound = q.min() != null ? q.min() : q.max();
        if (!Double.isFinite(bound)) {
            throw CairnException.invalid("quality." + (q.min() != null ? "min" : "max") + " must be a finite number.");
        }
        return new QualityThreshold(q.metric(), q.min(), q.max());
    }

    private static DriftRule rule(DriftRequest request) {
        if (request == null) {
            return DriftRule.DEFAULT;
        }
        refuseUnknown("drift", request.unknown(), "numeric, categorical, share");
        double share = request.share() == null ? 0.5 : request.share();
        if (!(share > 0 && share <= 1)) {
            throw CairnException.invalid("drift.share must be above 0 and at most 1 (the share of features that "
                    + "must drift for the dataset to drift), not " + request.share() + ".");
        }
        return new DriftRule(test("numeric", request.numeric()), test("categorical", request.categorical()), share);
    }

    private static Test test(String kind, Test test) {
        if (test == null) {
            return Test.AUTO;
        }
        refuseUnknown("drift." + kind, test.unknown(), "method, threshold");
        if (test.method() == null) {
            throw CairnException.invalid("drift." + kind + ".method is required: one of " + METHODS.get(kind) + ".");
        }
        String method = test.method().strip().toLowerCase(Locale.ROOT);
        if (!METHODS.get(kind).contains(method)) {
            throw CairnException.invalid("drift." + kind + ".method must be one of " + METHODS.get(kind) + ", not '"
                    + test.method() + "'.");
        }
        if (method.equals("auto")) {
            if (test.threshold() != null) {
                throw CairnException.invalid("drift." + kind + ": method auto takes no threshold (it is Evidently's "
                        + "preset); name a method to set one.");
            }
            return Test.AUTO;
        }
        Double t = test.threshold();
        boolean pValue = method.equals("ks") || method.equals("chi2");
        if (t == null || !Double.isFinite(t) || t <= 0 || (pValue && t >= 1)) {
            throw CairnException.invalid("drift." + kind + ".threshold is required for " + method + ": "
                    + (pValue ? "a p-value between 0 and 1 (drift below it)" : "a distance above 0 (drift above it)")
                    + ".");
        }
        return new Test(method, t);
    }

    /** The test a column is judged by, for its kind and reference size: the rule's, or the preset's for auto. */
    static Test effective(DriftRule rule, String kind, long referenceRows) {
        Test test = kind.equals("numeric") ? rule.numeric() : rule.categorical();
        if (!test.method().equals("auto")) {
            return test;
        }
        boolean small = referenceRows <= SMALL_REFERENCE;
        if (kind.equals("numeric")) {
            return small ? new Test("ks", 0.05) : new Test("wasserstein", 0.1);
        }
        return small ? new Test("chi2", 0.05) : new Test("js", 0.1);
    }
}
