/** The artifact store implementations (local directory, S3) and the configuration that picks one by the root's scheme. */
package io.cairn.artifacts.store;
