package io.cairn.serving.deployments;

import io.cairn.serving.DeploymentView;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelRegistry;
import io.cairn.serving.CanaryGuard;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.serving.ServingProperties;
import io.cairn.serving.onnx.Device;
import io.cairn.serving.onnx.OnnxSessions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deployments: define (idempotent PUT), read with this replica's state, list and delete. Definitions live in the
 * deployments table so every replica serves the same ones; a change made here is reconciled at once on this replica
 * (the others follow within their reconcile interval).
 */
@Service
public class Deployments implements DeploymentCatalog {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final String KNOWN_FIELDS = "[model, alias, canary, device, max_batch_size, max_queue_delay_ms, "
            + "stale_features]";

    private final DeploymentStore store;
    private final Reconciler reconciler;
    private final ModelRegistry registry;
    private final OnnxSessions sessions;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final ServingProperties properties;
    private final Clock clock;
    private final Access access;

    Deployments(DeploymentStore store, Reconciler reconciler, ModelRegistry registry, OnnxSessions sessions,
                AuditLog audit, TransactionTemplate tx, ServingProperties properties, Clock clock, Access access) {
        this.access = access;
        this.store = store;
        this.reconciler = reconciler;
        this.registry = registry;
        this.sessions = sessions;
        this.audit = audit;
        this.tx = tx;
        this.properties = properties;
        this.clock = clock;
    }

    /** A deployment as stored and shown, and whether the PUT created it. */
    public record Put(DeploymentView deployment, boolean created) {
    }

    /**
     * Creates or replaces the deployment, then waits (up to {@code cairn.serving.put-wait}) until this replica has
     * tried to load it, so the answer shows whether it is ready or why not.
     *
     * @throws CairnException 400 for an invalid body, an unknown model or alias; 409 for device cuda on a server
     *                        that cannot use CUDA
     */
    public Put put(String name, DeploymentRequest request) {
        DeploymentSpec wanted = validate(name, request);
        // Serving a model hands its outputs to whoever may infer: deploying it needs READ on the model.
        access.require(ResourceType.REGISTERED_MODEL, wanted.model(), Permission.READ);
        boolean created = Boolean.TRUE.equals(tx.execute(status -> {
            Optional<DeploymentSpec> before = store.lock(name);
            Instant now = clock.instant();
            if (before.isEmpty()) {
                store.insert(withTimes(wanted, 1, now, now));
                audit.record("deployment", name, "create", null, auditable(wanted));
                access.grantCreator(ResourceType.DEPLOYMENT, name);
                return true;
            }
            access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
            DeploymentSpec old = before.get();
            DeploymentSpec next = withTimes(wanted, old.revision(), old.createdAt(), old.updatedAt());
            if (!next.equals(old)) {
                store.update(withTimes(wanted, old.revision() + 1, old.createdAt(), now));
                audit.record("deployment", name, "update", auditable(old), auditable(wanted));
            }
            return false;
        }));
        awaitReconciled();
        return new Put(get(name), created);
    }

    @Override
    public boolean exists(String deployment) {
        return store.find(deployment).isPresent();
    }

    @Override
    public List<String> names() {
        return store.all().stream().map(DeploymentSpec::name).toList();
    }

    @Override
    public Optional<Routing> routing(String deployment) {
        return store.find(deployment).map(s -> new Routing(s.model(), s.alias(), s.canaryAlias(),
                s.canaryAlias() == null ? 0 : s.canaryPercent(), s.canaryGuard()));
    }

    /**
     * Sets the canary's share to 0, if it still serves the canary alias that was judged and has a share: in one
     * transaction under the deployment's lock, audited as {@code canary-pulled-back} with the evidence. Returns
     * whether it changed anything (false when someone changed the canary meanwhile).
     */
    @Override
    public boolean pullBackCanary(String deployment, String canaryAlias, Map<String, Object> evidence) {
        boolean changed = Boolean.TRUE.equals(tx.execute(status -> {
            Optional<DeploymentSpec> before = store.lock(deployment);
            if (before.isEmpty() || !canaryAlias.equals(before.get().canaryAlias())
                    || before.get().canaryPercent() == 0) {
                return false;
            }
            DeploymentSpec old = before.get();
            DeploymentSpec next = new DeploymentSpec(old.name(), old.model(), old.alias(), old.canaryAlias(), 0,
                    old.canaryGuard(), old.device(), old.maxBatchSize(), old.maxQueueDelayMs(),
                    old.acceptStaleFeatures(), old.revision() + 1, old.createdAt(), clock.instant());
            store.update(next);
            Map<String, Object> after = auditable(next);
            after.put("evidence", evidence);
            audit.record("deployment", deployment, "canary-pulled-back", auditable(old), after);
            return true;
        }));
        if (changed) {
            reconciler.reconcileSoon();
        }
        return changed;
    }

    private static Map<String, Object> guardView(CanaryGuard g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", g.metric());
        m.put("max_degradation", g.maxDegradation());
        m.put("min_samples", g.minSamples());
        return m;
    }

    @Override
    public DeploymentView get(String name) {
        DeploymentSpec spec = store.find(name).orElseThrow(() -> notFound(name));
        return view(spec, reconciler.runtime(name));
    }

    @Override
    public List<DeploymentView> list() {
        List<DeploymentView> views = new ArrayList<>();
        for (DeploymentSpec spec : store.all()) {
            views.add(view(spec, reconciler.runtime(spec.name())));
        }
        return views;
    }

    /** Deletes the deployment; its sessions close on every replica once their requests in flight are done. */
    public void delete(String name) {
        tx.executeWithoutResult(status -> {
            DeploymentSpec before = store.lock(name).orElseThrow(() -> notFound(name));
            access.require(ResourceType.DEPLOYMENT, name, Permission.MANAGE);
            store.delete(name);
            audit.record("deployment", name, "delete", auditable(before), null);
            access.forget(ResourceType.DEPLOYMENT, name);
        });
        awaitReconciled();
    }

    private void awaitReconciled() {
        try {
            reconciler.reconcileSoon().get(properties.putWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Still loading: the answer shows the state so far, and GET shows when it is ready.
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private DeploymentSpec validate(String name, DeploymentRequest request) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw CairnException.invalid("Invalid deployment name '" + name + "': use 1 to 128 letters, digits, '_', "
                    + "'.' or '-', starting with a letter or digit. It is the model name in /v2/models/{name}.");
        }
        if (request == null) {
            throw CairnException.invalid("Request body is missing: send {\"model\": ..., \"alias\": ...}.");
        }
        unknownFields("the deployment", request.unknown(), KNOWN_FIELDS);
        requireAlias(request.model(), request.alias(), "alias");
        String canaryAlias = null;
        int canaryPercent = 0;
        CanaryGuard guard = null;
        if (request.canary() != null) {
            unknownFields("canary", request.canary().unknown(), "[alias, percent, guard]");
            canaryAlias = request.canary().alias();
            canaryPercent = request.canary().percent();
            guard = guard(request.canary().guard());
            if (canaryAlias.equals(request.alias())) {
                throw CairnException.invalid("canary.alias must differ from alias ('" + canaryAlias + "').");
            }
            requireAlias(request.model(), canaryAlias, "canary.alias");
        }
        Device device = request.device() == null ? Device.AUTO : Device.parse(request.device());
        if (device == null) {
            throw CairnException.invalid("Invalid device '" + request.device() + "': use auto, cpu or cuda.");
        }
        if (device == Device.CUDA) {
            sessions.cudaUnavailable().ifPresent(problem -> {
                throw new CairnException(ErrorCode.CONFLICT, "Device cuda is not usable on this server: " + problem
                        + ". Use device auto to fall back to the CPU, or cpu.");
            });
        }
        boolean acceptStale;
        if (request.stale_features() == null || request.stale_features().equals("reject")) {
            acceptStale = false;
        } else if (request.stale_features().equals("accept")) {
            acceptStale = true;
        } else {
            throw CairnException.invalid("Invalid stale_features '" + request.stale_features()
                    + "': use reject (the default) or accept.");
        }
        return new DeploymentSpec(name, request.model(), request.alias(), canaryAlias, canaryPercent, guard, device,
                request.max_batch_size() == null ? 1 : request.max_batch_size(),
                request.max_queue_delay_ms() == null ? 0 : request.max_queue_delay_ms(), acceptStale, 0, null, null);
    }

    private static CanaryGuard guard(DeploymentRequest.Guard g) {
        if (g == null) {
            return null;
        }
        unknownFields("canary.guard", g.unknown(), "[metric, max_degradation, min_samples]");
        List<String> metrics = new ArrayList<>(List.of(CanaryGuard.ERROR_RATE, CanaryGuard.P99_LATENCY));
        metrics.addAll(CanaryGuard.QUALITY_METRICS);
        if (g.metric() == null || !metrics.contains(g.metric())) {
            throw CairnException.invalid("canary.guard.metric must be one of " + metrics + ", not '" + g.metric()
                    + "'.");
        }
        if (g.max_degradation() == null || !Double.isFinite(g.max_degradation()) || g.max_degradation() < 0) {
            throw CairnException.invalid("canary.guard.max_degradation is required: how much worse than the champion "
                    + "the canary may be, 0 or more (e.g. 0.02).");
        }
        int minSamples = g.min_samples() == null ? CanaryGuard.DEFAULT_MIN_SAMPLES : g.min_samples();
        if (minSamples < 1 || minSamples > 100_000_000) {
            throw CairnException.invalid("canary.guard.min_samples must be between 1 and 100000000.");
        }
        return new CanaryGuard(g.metric(), g.max_degradation(), minSamples);
    }

    private void requireAlias(String model, String alias, String field) {
        try {
            registry.get(model);
        } catch (CairnException e) {
            if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) {
                throw CairnException.invalid("model: there is no registered model '" + model + "'.");
            }
            throw e;
        }
        try {
            registry.byAlias(model, alias);
        } catch (CairnException e) {
            if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) {
                throw CairnException.invalid(field + ": registered model '" + model + "' has no alias '" + alias
                        + "'; set it first (registered-models/alias).");
            }
            throw CairnException.invalid(field + ": " + e.getMessage());
        }
    }

    private static void unknownFields(String where, Map<String, Object> unknown, String known) {
        if (unknown != null && !unknown.isEmpty()) {
            throw CairnException.invalid("Unknown field(s) " + new TreeSet<>(unknown.keySet()) + " in " + where
                    + "; known fields are " + known + ".");
        }
    }

    private static DeploymentSpec withTimes(DeploymentSpec s, long revision, Instant created, Instant updated) {
        return new DeploymentSpec(s.name(), s.model(), s.alias(), s.canaryAlias(), s.canaryPercent(), s.canaryGuard(),
                s.device(), s.maxBatchSize(), s.maxQueueDelayMs(), s.acceptStaleFeatures(), revision, created, updated);
    }

    private static Map<String, Object> auditable(DeploymentSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", s.model());
        m.put("alias", s.alias());
        if (s.canaryAlias() != null) {
            Map<String, Object> canary = new LinkedHashMap<>();
            canary.put("alias", s.canaryAlias());
            canary.put("percent", s.canaryPercent());
            if (s.canaryGuard() != null) {
                canary.put("guard", guardView(s.canaryGuard()));
            }
            m.put("canary", canary);
        }
        m.put("device", s.device().value());
        m.put("max_batch_size", s.maxBatchSize());
        m.put("max_queue_delay_ms", s.maxQueueDelayMs());
        m.put("stale_features", s.acceptStaleFeatures() ? "accept" : "reject");
        return m;
    }

    static DeploymentView view(DeploymentSpec spec, DeploymentRuntime runtime) {
        List<DeploymentView.AliasState> aliases = new ArrayList<>();
        boolean ready = false;
        if (runtime != null) {
            for (Slot slot : runtime.slots()) {
                ServedModel m = slot.peek();
                Slot.Status status = slot.status();
                aliases.add(new DeploymentView.AliasState(slot.role.value(), spec.alias(slot.role),
                        status.targetVersion() == null ? null : String.valueOf(status.targetVersion()),
                        m == null ? null : m.versionText(), m != null, status.loading(),
                        m == null ? null : m.onnx().device(), m == null ? null : m.onnx().deviceNote(),
                        m == null ? null : m.batcher().batching(), m == null ? null : m.loadedAt(), status.error()));
                if (slot.role == Slot.Role.PRIMARY) {
                    ready = m != null;
                }
            }
        }
        return new DeploymentView(spec.name(), spec.model(), spec.alias(),
                spec.canaryAlias() == null ? null : new DeploymentView.CanaryView(spec.canaryAlias(), spec.canaryPercent(),
                        spec.canaryGuard() == null ? null : guardView(spec.canaryGuard())),
                spec.device().value(), spec.maxBatchSize(), spec.maxQueueDelayMs(),
                spec.acceptStaleFeatures() ? "accept" : "reject", spec.revision(), spec.createdAt(), spec.updatedAt(),
                new DeploymentView.State(ready, aliases));
    }

    static CairnException notFound(String name) {
        return CairnException.notFound("Deployment '" + name + "' does not exist.");
    }
}
