package io.cairn.serving;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which deployments exist: serving's answer for modules that act on a deployment by name (monitoring). */
public interface DeploymentCatalog {

    /** Whether a deployment of this name is defined (whether or not it is loaded on this replica). */
    boolean exists(String deployment);

    /** The names of every defined deployment. */
    List<String> names();

    /** A deployment's definition and what this replica has loaded for it; RESOURCE_DOES_NOT_EXIST when undefined. */
    DeploymentView get(String deployment);

    /** Every deployment, as {@link #get}. */
    List<DeploymentView> list();

    /**
     * What a deployment serves: the registered model, the primary alias (the champion) and, when it has a canary,
     * the canary's alias and share of requests (else null and 0). Empty when there is no such deployment.
     */
    Optional<Routing> routing(String deployment);

    /**
     * Takes a canary's share of requests to 0 because its guard found it worse than the champion (monitoring's
     * decision), if it still serves {@code canaryAlias} with a share; audited with the evidence. Returns whether it
     * changed the deployment.
     */
    boolean pullBackCanary(String deployment, String canaryAlias, Map<String, Object> evidence);

    /** A deployment's model and aliases, and its canary's guard (null when it has none). */
    record Routing(String model, String alias, String canaryAlias, int canaryPercent, CanaryGuard canaryGuard) {
    }
}
