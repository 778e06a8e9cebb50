package io.cairn.web;

import java.util.ArrayList;
import java.util.List;

/** A path with query parameters, each value form-encoded; empty and null values are left out. */
final class Query {

    private final String path;
    private final List<String[]> params = new ArrayList<>();

    Query(String path) {
        this.path = path;
    }

    Query add(String name, Object value) {
        if (value != null && !value.toString().isEmpty()) {
            params.add(new String[] {name, value.toString()});
        }
        return this;
    }

    Query addAll(String name, Iterable<String> values) {
        for (String v : values) {
            add(name, v);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder url = new StringBuilder(path);
        char sep = '?';
        for (String[] p : params) {
            url.append(sep).append(Format.query(p[0])).append('=').append(Format.query(p[1]));
            sep = '&';
        }
        return url.toString();
    }
}
