/** Artifact storage: where runs' files and model versions live (local disk or S3). */
package io.cairn.artifacts;
