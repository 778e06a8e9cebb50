package io.cairn.serving;

/** Which deployments exist: serving's answer for modules that act on a deployment by name (monitoring). */
public interface DeploymentCatalog {

    /** Whether a deployment of this name is defined (whether or not it is loaded on this replica). */
    boolean exists(String deployment);
}
