package io.cairn.serving.deployments;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one role of a deployment (its primary alias, or its canary) serves on this replica: the current model, which
 * requests acquire lock-free, and the status of loading the alias's target.
 */
final class Slot {

    enum Role {
        PRIMARY, CANARY;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The status shown in a deployment's state: what the alias points to, and the last load problem if any. */
    record Status(Integer targetVersion, boolean loading, String error) {
    }

    final Role role;
    private final AtomicReference<ServedModel> current = new AtomicReference<>();
    private Integer targetVersion;
    private boolean loading;
    /** The load in progress, so a pass that finds one can wait for it instead of reporting itself done early. */
    private java.util.concurrent.CompletableFuture<Void> inFlight;
    private String error;
    private ServedModel.LoadKey failedKey;
    private long failedAtMillis;
    private boolean removed;

    Slot(Role role) {
        this.role = role;
    }

    /** The current model, counted in; null when nothing is loaded. Release it when done. */
    ServedModel acquire() {
        while (true) {
            ServedModel m = current.get();
            if (m == null || m.tryAcquire()) {
                return m;
            }
            // Retired between the read and the count: the slot already points at its successor.
            Thread.onSpinWait();
        }
    }

    /** The current model without counting it in, for display. */
    ServedModel peek() {
        return current.get();
    }

    synchronized Status status() {
        return new Status(targetVersion, loading, error);
    }

    /** Records what the alias points to now; the problem stays shown while the wanted load is the one that failed. */
    synchronized void target(Integer version, ServedModel.LoadKey wanted) {
        targetVersion = version;
        if (wanted == null || !wanted.equals(failedKey)) {
            error = null;
        }
    }

    /** Records that the alias's target cannot be resolved; whatever is loaded keeps serving. */
    synchronized void unresolved(String problem) {
        targetVersion = null;
        error = problem;
    }

    /** Whether a load of the key should start now: not already loading, and not failed recently with this key. */
    synchronized boolean startLoading(ServedModel.LoadKey key, long nowMillis, long retryMillis) {
        if (removed || loading || (key.equals(failedKey) && nowMillis - failedAtMillis < retryMillis)) {
            return false;
        }
        loading = true;
        return true;
    }

    synchronized void loadingWith(java.util.concurrent.CompletableFuture<Void> load) {
        inFlight = load;
    }

    /** The load in progress, or null. */
    synchronized java.util.concurrent.CompletableFuture<Void> inFlight() {
        return loading ? inFlight : null;
    }

    synchronized void loadFailed(ServedModel.LoadKey key, String message, long nowMillis) {
        loading = false;
        failedKey = key;
        failedAtMillis = nowMillis;
        error = message;
    }

    /**
     * Makes the freshly loaded model current and retires its predecessor, which closes once its requests are done.
     * Returns false (and the caller closes the model) when the slot was removed meanwhile.
     */
    boolean install(ServedModel model) {
        ServedModel old;
        synchronized (this) {
            loading = false;
            if (removed) {
                return false;
            }
            old = current.getAndSet(model);
            error = null;
            failedKey = null;
        }
        if (old != null) {
            old.retire();
        }
        model.serving();
        return true;
    }

    /** Takes the slot out of service: its model is retired and no load will be installed any more. */
    void remove() {
        ServedModel old;
        synchronized (this) {
            removed = true;
            old = current.getAndSet(null);
        }
        if (old != null) {
            old.retire();
        }
    }
}
