package io.cairn.serving.deployments;

import io.cairn.platform.error.CairnException;
import io.cairn.registry.ModelRegistry;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.RegistryEvent;
import io.cairn.serving.ServingProperties;
import io.cairn.serving.log.PredictionLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps this replica's loaded sessions in line with the deployments table and the registry's alias targets. Every
 * replica runs one: it compares on a timer ({@code cairn.serving.reconcile-interval}, default 1 s), at once when a
 * deployment is changed through this replica, and at once when this replica publishes a {@link RegistryEvent}.
 * Alias targets are always re-read from the registry rather than taken from events (event ids may commit out of
 * order across replicas), so what every replica serves converges on what the tables say.
 *
 * <p>A version that must be loaded is loaded on a loader thread while the old one keeps serving; the new one is
 * warmed up, swapped in atomically, and the old one closes after its requests in flight finish. A failed load is
 * shown in the deployment's state and retried after {@code cairn.serving.load-retry-interval} (or at once when the
 * alias moves on).
 */
@Component
public class Reconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final DeploymentStore store;
    private final ModelRegistry registry;
    private final ModelLoader loader;
    private final PredictionLog predictionLog;
    private final ServingProperties properties;
    private final Clock clock;
    private final Map<String, DeploymentRuntime> runtimes = new ConcurrentHashMap<>();
    private final Object monitor = new Object();
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private boolean wakeUp;
    private volatile boolean running;
    private volatile boolean failing;
    private Thread thread;
    private ExecutorService loads;
    /** Runs at the start of every pass: a seam for tests that make a pass fail or hang. */
    volatile Runnable beforePass = () -> { };
    /** When the last pass finished without failing ({@link Clock#millis()}); the start counts as one. */
    private volatile long lastPassMillis;

    Reconciler(DeploymentStore store, ModelRegistry registry, ModelLoader loader, PredictionLog predictionLog,
               ServingProperties properties, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.loader = loader;
        this.predictionLog = predictionLog;
        this.properties = properties;
        this.clock = clock;
    }

    DeploymentRuntime runtime(String name) {
        return runtimes.get(name);
    }

    Collection<DeploymentRuntime> runtimes() {
        return runtimes.values();
    }

    /**
     * Asks for a pass now. The future completes when a pass that started after this call has finished, including
     * the loads it started.
     */
    public CompletableFuture<Void> reconcileSoon() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (monitor) {
            waiting.add(done);
            wakeUp = true;
            monitor.notifyAll();
        }
        return done;
    }

    /** A registry change made through this replica: look at the alias targets now instead of at the next tick. */
    @TransactionalEventListener(fallbackExecution = true)
    void registryChanged(RegistryEvent event) {
        reconcileSoon();
    }

    private void loop() {
        long interval = properties.reconcileInterval().toMillis();
        while (running) {
            List<CompletableFuture<Void>> waiters;
            synchronized (monitor) {
                long deadline = System.currentTimeMillis() + interval;
                while (running && !wakeUp) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        monitor.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        running = false;
                    }
                }
                waiters = waiting;
                waiting = new ArrayList<>();
                wakeUp = false;
            }
            if (!running) {
                waiters.forEach(w -> w.complete(null));
                return;
            }
            List<CompletableFuture<Void>> started = List.of();
            try {
                started = pass();
                lastPassMillis = clock.millis();
                if (failing) {
                    log.info("Reconciling deployments works again");
                    failing = false;
                }
            } catch (Throwable e) {
                // Errors too: an OutOfMemoryError in a pass once ended this thread, and no deployment changed on
                // this replica again until it restarted. The next pass comes after the interval, as after any failure.
                if (!failing || e instanceof Error) {
                    log.warn("Reconciling deployments failed; retrying every {} ms", interval, e);
                    failing = true;
                }
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                    .whenComplete((ok, error) -> waiters.forEach(w -> w.complete(null)));
        }
    }

    /** One comparison of every deployment with the tables; returns the loads it started. */
    List<CompletableFuture<Void>> pass() {
        beforePass.run();
        List<DeploymentSpec> specs = store.all();
        Set<String> names = new HashSet<>();
        specs.forEach(s -> names.add(s.name()));
        for (String name : List.copyOf(runtimes.keySet())) {
            if (!names.contains(name)) {
                DeploymentRuntime gone = runtimes.remove(name);
                if (gone != null) {
                    gone.remove();
                    log.info("Deployment {} was deleted; its sessions close once their requests are done", name);
                }
            }
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (DeploymentSpec spec : specs) {
            DeploymentRuntime runtime = runtimes.computeIfAbsent(spec.name(), n -> {
                predictionLog.track(n);
                return new DeploymentRuntime(spec);
            });
            runtime.update(spec);
            for (Slot slot : runtime.slots()) {
                CompletableFuture<Void> load = reconcile(spec, slot);
                if (load != null) {
                    started.add(load);
                }
            }
        }
        return started;
    }

    private CompletableFuture<Void> reconcile(DeploymentSpec spec, Slot slot) {
        String alias = spec.alias(slot.role);
        ModelVersion target;
        try {
            target = registry.byAlias(spec.model(), alias);
        } catch (CairnException e) {
            slot.unresolved("The " + slot.role.value() + " alias cannot be resolved: " + e.getMessage()
                    + " Whatever is loaded keeps serving.");
            return null;
        }
        ServedModel.LoadKey wanted = new ServedModel.LoadKey(alias, target.version(), spec.device().value(),
                spec.maxBatchSize(), spec.maxQueueDelayMs());
        slot.target(target.version(), wanted);
        ServedModel current = slot.peek();
        if (current != null && current.loadKey().equals(wanted)) {
            return null;
        }
        if (!slot.startLoading(wanted, clock.millis(), properties.loadRetryInterval().toMillis())) {
            // A load an earlier pass started is still running (perhaps of the previous target): whoever waits for
            // this pass waits for it and for the pass after it, which then starts what is wanted now. Returning
            // nothing here let a PUT answer before its canary had even begun loading (DeploymentsIT, rarely).
            CompletableFuture<Void> running = slot.inFlight();
            return running == null ? null : running.handle((ok, error) -> null).thenCompose(x -> reconcileSoon());
        }
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> load(spec, slot, target, wanted), loads);
        slot.loadingWith(load);
        return load;
    }

    private void load(DeploymentSpec spec, Slot slot, ModelVersion target, ServedModel.LoadKey wanted) {
        ServedModel loaded;
        try {
            loaded = loader.load(spec, slot.role, target, wanted);
        } catch (Throwable e) {
            // An Error as well: left uncaught it only ended this task, and the slot stayed "loading" for good.
            String message = "Loading version " + target.version() + " of model " + target.name() + " failed: "
                    + (e instanceof RuntimeException ? e.getMessage() : e.getClass().getSimpleName() + ": "
                    + e.getMessage());
            slot.loadFailed(wanted, message, clock.millis());
            if (e instanceof Error) {
                log.warn("Deployment {} ({}): {}", spec.name(), slot.role.value(), message, e);
            } else {
                log.warn("Deployment {} ({}): {}", spec.name(), slot.role.value(), message);
            }
            return;
        }
        if (slot.install(loaded)) {
            log.info("Deployment {} ({}, alias {}) now serves model {} version {} on {}", spec.name(),
                    slot.role.value(), wanted.alias(), target.name(), target.version(), loaded.onnx().device());
        } else {
            loaded.retire();
        }
    }

    /**
     * Why this replica does not keep its sessions in line with the tables, or empty: the reconciler is stopped, its
     * thread is gone, or no pass has succeeded for {@link #staleAfterMillis()} (a pass hangs, or every pass fails).
     * Part of serving's readiness ({@code ServingHealthIndicator}).
     */
    Optional<String> problem() {
        Thread t = thread;
        if (!running || t == null) {
            return Optional.of("the reconciler is not running");
        }
        if (!t.isAlive()) {
            return Optional.of("the reconciler thread has stopped, so deployments are no longer loaded or updated "
                    + "on this replica (the server log says why); restart the replica");
        }
        long age = clock.millis() - lastPassMillis;
        if (age > staleAfterMillis()) {
            return Optional.of("no reconcile pass has finished for " + age + " ms (one runs every "
                    + properties.reconcileInterval().toMillis() + " ms), so deployment changes do not reach this "
                    + "replica" + (failing ? "; passes fail (the server log says why)" : "; a pass is stuck"));
        }
        return Optional.empty();
    }

    /**
     * How long without a finished pass is a problem: five intervals, and at least 10 s, so that a pass slowed by a
     * busy database (one query for the deployments, one per alias) does not take a replica out of service.
     */
    long staleAfterMillis() {
        return Math.max(5 * properties.reconcileInterval().toMillis(), 10_000);
    }

    /** How long ago the last pass finished. */
    long millisSinceLastPass() {
        return Math.max(0, clock.millis() - lastPassMillis);
    }

    @Override
    public void start() {
        AtomicInteger n = new AtomicInteger();
        loads = Executors.newFixedThreadPool(Math.max(1, properties.loadThreads()), r -> {
            Thread t = new Thread(r, "cairn-serving-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        running = true;
        lastPassMillis = clock.millis();
        thread = new Thread(this::loop, "cairn-serving-reconciler");
        thread.setDaemon(true);
        thread.start();
        reconcileSoon();
    }

    @Override
    public void stop() {
        running = false;
        synchronized (monitor) {
            monitor.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loads.shutdownNow();
        runtimes.values().forEach(DeploymentRuntime::remove);
        runtimes.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Starts before the web server takes requests and stops after it has finished the ones in flight (graceful
     * shutdown), so no request finds its session closed.
     */
    @Override
    public int getPhase() {
        // Spring Boot's web server lifecycles use DEFAULT_PHASE - 1024 (graceful shutdown) and - 2048 (start/stop).
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
