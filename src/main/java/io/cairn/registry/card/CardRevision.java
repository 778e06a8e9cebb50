package io.cairn.registry.card;

import io.cairn.registry.MonitoringTags;
import java.util.List;
import java.util.Map;

/**
 * One stored revision of a version's card: revision 1 is the auto-filled card, each edit adds one. {@code monitoring}
 * is not part of the stored card: it is read from the version's tags when the card is read, so it shows what
 * monitoring uses now ({@link MonitoringTags}); absent when the version has none of them.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record CardRevision(String name, int version, int revision, long created_at, String author, ModelCard card,
                           Monitoring monitoring) {

    public CardRevision(String name, int version, int revision, long created_at, String author, ModelCard card) {
        this(name, version, revision, created_at, author, card, null);
    }

    /** What monitoring reads from the version's tags; a field is null when its tag is not set. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    public record Monitoring(String task, String score_output, Double threshold, List<String> features,
                             String label) {

        /** The section for a version's tags, or null when it carries no monitoring tag. */
        static Monitoring of(Map<String, String> tags) {
            String task = tags.get(MonitoringTags.TASK);
            String score = tags.get(MonitoringTags.SCORE_OUTPUT);
            String threshold = tags.get(MonitoringTags.THRESHOLD);
            List<String> features = MonitoringTags.featureRefs(tags);
            String label = tags.get(MonitoringTags.LABEL);
            if (task == null && score == null && threshold == null && features.isEmpty() && label == null) {
                return null;
            }
            Double t = null;
            if (MonitoringTags.Task.BINARY_CLASSIFICATION.tagValue().equals(task)) {
                t = threshold == null ? MonitoringTags.DEFAULT_THRESHOLD : parse(threshold);
            } else if (threshold != null) {
                t = parse(threshold);
            }
            return new Monitoring(task, score, t, features, label);
        }

        private static Double parse(String text) {
            try {
                return Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                return null; // set before the registry checked the tag; the task line still shows
            }
        }
    }

    CardRevision withMonitoring(Monitoring section) {
        return new CardRevision(name, version, revision, created_at, author, card, section);
    }
}
