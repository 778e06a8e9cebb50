/**
 * Model registry: registered models, versions with lineage to runs, aliases and stages, model cards.
 * The services in this package are the module's API; {@link io.cairn.registry.RegistryEvent}s announce alias and
 * stage changes, in-process and through the registry_events table for other replicas.
 */
package io.cairn.registry;
