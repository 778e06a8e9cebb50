package io.cairn.serving.deployments;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Finds the model that answers a request for a deployment on this replica: the primary alias's version, the canary's
 * for its share of requests, or an explicitly requested version while it is loaded. Errors are 404 for a deployment
 * (or version) this replica does not serve and 503 while nothing is loaded yet.
 */
@Component
public class DeploymentRouter {

    private final Reconciler reconciler;

    DeploymentRouter(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    /**
     * Holds the model that answers the next request until the lease is closed.
     *
     * @param version a version number, or null to route by alias (and canary share)
     */
    public Lease lease(String deployment, String version) {
        DeploymentRuntime runtime = runtime(deployment);
        ServedModel model = version == null ? runtime.route() : runtime.route(versionNumber(deployment, version));
        if (model == null) {
            throw unavailable(runtime, deployment, version);
        }
        return new Lease(model);
    }

    /** The model that would answer (primary, or the given version), without holding it: for metadata. */
    public ServedModel current(String deployment, String version) {
        DeploymentRuntime runtime = runtime(deployment);
        if (version == null) {
            ServedModel m = runtime.primary().peek();
            if (m == null) {
                throw unavailable(runtime, deployment, null);
            }
            return m;
        }
        int number = versionNumber(deployment, version);
        for (ServedModel m : runtime.loaded()) {
            if (m.version() == number) {
                return m;
            }
        }
        throw unavailable(runtime, deployment, version);
    }

    /** The versions loaded for the deployment, primary first. */
    public List<String> loadedVersions(String deployment) {
        return runtime(deployment).loaded().stream().map(ServedModel::versionText).distinct().toList();
    }

    /** Whether the deployment (or that version of it) can answer now; a 404 when the deployment is unknown. */
    public boolean ready(String deployment, String version) {
        DeploymentRuntime runtime = runtime(deployment);
        if (version == null) {
            return runtime.primary().peek() != null;
        }
        int number = versionNumber(deployment, version);
        return runtime.loaded().stream().anyMatch(m -> m.version() == number);
    }

    /** Whether the deployment uses feature values older than their view's TTL (stale_features: accept). */
    public boolean acceptsStaleFeatures(String deployment) {
        return runtime(deployment).spec().acceptStaleFeatures();
    }

    /** Whether every deployment has its primary (and canary, when it has one) loaded on this replica. */
    public boolean allReady() {
        return reconciler.runtimes().stream().allMatch(r -> r.slots().stream().allMatch(s -> s.peek() != null));
    }

    private DeploymentRuntime runtime(String deployment) {
        DeploymentRuntime runtime = reconciler.runtime(deployment);
        if (runtime == null) {
            throw CairnException.notFound("Model '" + deployment + "' is not served here: there is no deployment of "
                    + "that name (create one with PUT /api/v1/deployments/" + deployment + ").");
        }
        return runtime;
    }

    private static int versionNumber(String deployment, String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw CairnException.notFound("Model '" + deployment + "' has no version '" + version
                    + "': versions are the registry's version numbers.");
        }
    }

    private static CairnException unavailable(DeploymentRuntime runtime, String deployment, String version) {
        if (version != null) {
            List<String> loaded = runtime.loaded().stream().map(ServedModel::versionText).toList();
            return CairnException.notFound("Version " + version + " of model '" + deployment + "' is not loaded; "
                    + (loaded.isEmpty() ? "no version is loaded yet." : "loaded: " + loaded + "."));
        }
        Slot.Status status = runtime.primary().status();
        String why = status.error() != null ? status.error()
                : status.loading() ? "version " + status.targetVersion() + " is loading." : "nothing is loaded yet.";
        return new CairnException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Model '" + deployment + "' is not ready: " + why);
    }
}
