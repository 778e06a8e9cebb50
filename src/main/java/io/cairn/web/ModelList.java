package io.cairn.web;

import io.cairn.registry.RegisteredModel;
import java.util.List;

/** One page of registered models. */
public record ModelList(String query, List<RegisteredModel> models, int page, boolean hasNext, String error) {

    public String pageLink(int n) {
        return new Query("/models").add("q", query).add("page", n == 1 ? null : n).toString();
    }
}
