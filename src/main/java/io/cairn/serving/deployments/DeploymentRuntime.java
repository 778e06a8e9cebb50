package io.cairn.serving.deployments;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deployment as this replica serves it: its current definition and a slot for its primary alias and, when it has
 * one, its canary alias. Routing reads both without locks.
 */
final class DeploymentRuntime {

    private volatile DeploymentSpec spec;
    private final Slot primary = new Slot(Slot.Role.PRIMARY);
    private volatile Slot canary;

    DeploymentRuntime(DeploymentSpec spec) {
        update(spec);
    }

    DeploymentSpec spec() {
        return spec;
    }

    Slot primary() {
        return primary;
    }

    Slot canary() {
        return canary;
    }

    synchronized void update(DeploymentSpec next) {
        spec = next;
        if (next.canaryAlias() == null && canary != null) {
            canary.remove();
            canary = null;
        } else if (next.canaryAlias() != null && canary == null) {
            canary = new Slot(Slot.Role.CANARY);
        }
    }

    List<Slot> slots() {
        List<Slot> slots = new ArrayList<>(2);
        slots.add(primary);
        Slot c = canary;
        if (c != null) {
            slots.add(c);
        }
        return slots;
    }

    synchronized void remove() {
        primary.remove();
        if (canary != null) {
            canary.remove();
        }
    }

    /**
     * The model that answers the next request, counted in: the canary for its share of requests (drawn per request)
     * while it is loaded, else the primary. Null when the primary has nothing loaded.
     */
    ServedModel route() {
        DeploymentSpec s = spec;
        Slot c = canary;
        if (c != null && s.canaryPercent() > 0 && ThreadLocalRandom.current().nextInt(100) < s.canaryPercent()) {
            ServedModel m = c.acquire();
            if (m != null) {
                return m;
            }
        }
        return primary.acquire();
    }

    /** The loaded model of that version, counted in, or null when no slot serves it. */
    ServedModel route(int version) {
        for (Slot slot : slots()) {
            ServedModel m = slot.acquire();
            if (m != null) {
                if (m.version() == version) {
                    return m;
                }
                m.release();
            }
        }
        return null;
    }

    /** The versions loaded now, primary first. */
    List<ServedModel> loaded() {
        List<ServedModel> loaded = new ArrayList<>(2);
        for (Slot slot : slots()) {
            ServedModel m = slot.peek();
            if (m != null) {
                loaded.add(m);
            }
        }
        return loaded;
    }
}
