package io.cairn.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The kinds of object a definitions directory declares, in the order they are applied (deleted in reverse). */
enum Kind {
    ENTITY("entity", "/api/v1/entities", "entities"),
    FEATURE_VIEW("feature_view", "/api/v1/feature-views", "feature_views"),
    DEPLOYMENT("deployment", "/api/v1/deployments", "deployments");

    /** The word in a YAML {@code kind:} field and in plan output. */
    final String word;
    /** The REST collection, e.g. {@code /api/v1/entities}. */
    final String collection;
    /** The field of the collection's listing that holds its items. */
    final String listField;

    Kind(String word, String collection, String listField) {
        this.word = word;
        this.collection = collection;
        this.listField = listField;
    }

    String path(String name) {
        return collection + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Kind of(String word) {
        for (Kind k : values()) {
            if (k.word.equals(word)) {
                return k;
            }
        }
        return null;
    }
}
