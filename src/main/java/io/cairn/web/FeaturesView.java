package io.cairn.web;

import io.cairn.features.Entity;
import io.cairn.features.FeatureStats;
import io.cairn.features.FeatureView;
import io.cairn.features.SavedTrainingSet;
import java.util.List;
import java.util.Map;

/** The feature store page: entities, feature views with their figures, and saved training sets. */
public record FeaturesView(List<Entity> entities, List<FeatureView> views, Map<String, FeatureStats.ViewStats> stats,
                           List<SavedTrainingSet> trainingSets, int page, boolean hasNext) {

    public String pageLink(int n) {
        return new Query("/features").add("page", n == 1 ? null : n).toString();
    }

    /** Online coverage as a percentage text ("97 % of 200 sampled"), or why there is none. */
    public static String coverage(FeatureView view, FeatureStats.ViewStats s) {
        if (!view.online()) {
            return "offline only";
        }
        if (s == null) {
            return "";
        }
        if (s.onlineError() != null) {
            return s.onlineError();
        }
        if (s.sampled() == 0) {
            return "no rows yet";
        }
        return Math.round(100.0 * s.onlinePresent() / s.sampled()) + " % of " + s.sampled() + " sampled entities";
    }

    /** A TTL as text: "none", seconds, or the largest whole unit. */
    public static String ttl(long seconds) {
        if (seconds == 0) {
            return "none";
        }
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + " d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        return seconds + " s";
    }
}
