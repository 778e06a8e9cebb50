package io.cairn.tracking;

/** A dataset a run consumed, identified within its experiment by name and digest. */
public record Dataset(String name, String digest, String sourceType, String source, String schema, String profile) {
}
