package io.cairn.features.online;

import io.cairn.features.OnlineFeatureReader;
import io.cairn.features.OnlineFeatureValues;
import io.cairn.features.online.OnlineFeatures.Column;
import io.cairn.features.online.OnlineFeatures.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@link OnlineFeatureReader} over {@link OnlineFeatures}: the same read as Feast's endpoint, without HTTP. */
@Component
class InProcessFeatureReader implements OnlineFeatureReader {

    private final OnlineFeatures online;

    InProcessFeatureReader(OnlineFeatures online) {
        this.online = online;
    }

    @Override
    public OnlineFeatureValues read(List<String> featureRefs, Map<String, List<JsonNode>> entities) {
        // Full names never clash between views; the answer names features by their references instead.
        Result result = online.get(featureRefs, entities, true);
        int keys = result.featureNames().size() - featureRefs.size();
        List<String> names = new ArrayList<>(result.featureNames().subList(0, keys));
        names.addAll(featureRefs);
        List<OnlineFeatureValues.Column> columns = new ArrayList<>(result.columns().size());
        for (Column c : result.columns()) {
            columns.add(new OnlineFeatureValues.Column(c.values(), c.statuses(), c.event_timestamps()));
        }
        return new OnlineFeatureValues(names, columns);
    }
}
