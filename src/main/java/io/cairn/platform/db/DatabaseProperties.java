package io.cairn.platform.db;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Database bootstrap settings.
 *
 * @param createIfMissing create the configured PostgreSQL database on start when it does not exist yet, so a fresh
 *                        machine needs no manual {@code createdb}; turn off where the role may not create databases
 */
@ConfigurationProperties("cairn.database")
public record DatabaseProperties(boolean createIfMissing) {
}
