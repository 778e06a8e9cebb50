/**
 * Feature store: entities and feature views defined once, an offline store in PostgreSQL with point-in-time correct
 * training sets, and an online store in Redis read through Feast's HTTP protocol.
 * The services in this package are the module's API; {@code api} is its /api/v1 edge, {@code store} its PostgreSQL
 * persistence and {@code online} the Redis online store with Feast's endpoints.
 */
package io.cairn.features;
