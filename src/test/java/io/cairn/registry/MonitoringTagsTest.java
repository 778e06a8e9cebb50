package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.platform.error.CairnException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitoringTagsTest {

    @Test
    void aVersionsTagsGiveTaskScoreOutputAndThreshold() {
        assertThat(MonitoringTags.of(Map.of("cairn.task", "binary_classification",
                "cairn.score_output", "probabilities:1", "cairn.threshold", "0.7")))
                .contains(new MonitoringTags.Settings(MonitoringTags.Task.BINARY_CLASSIFICATION,
                        new MonitoringTags.ScoreOutput("probabilities", 1), 0.7));
        assertThat(MonitoringTags.of(Map.of("cairn.task", "regression", "cairn.score_output", "variable")))
                .contains(new MonitoringTags.Settings(MonitoringTags.Task.REGRESSION,
                        new MonitoringTags.ScoreOutput("variable", null), 0.5));
        assertThat(MonitoringTags.of(Map.of("cairn.task", "multiclass_classification")).orElseThrow().scoreOutput())
                .isNull();
        assertThat(MonitoringTags.of(Map.of("other", "x"))).isEmpty();
    }

    @Test
    void unusableValuesAreRefusedWhenSetAndOtherTagsPass() {
        for (String[] bad : new String[][] {{"cairn.task", "classification"}, {"cairn.task", ""},
                {"cairn.score_output", ""}, {"cairn.score_output", "probabilities:x"},
                {"cairn.score_output", "probabilities:-1"}, {"cairn.score_output", ":1"},
                {"cairn.threshold", "1.5"}, {"cairn.threshold", "NaN"}, {"cairn.threshold", "high"}}) {
            assertThatThrownBy(() -> MonitoringTags.validate(bad[0], bad[1])).as(bad[0] + "=" + bad[1])
                    .isInstanceOf(CairnException.class).hasMessageContaining(bad[0]);
        }
        MonitoringTags.validate("cairn.threshold", "0");
        MonitoringTags.validate("cairn.score_output", "output:label:0");
        MonitoringTags.validate("mlflow.source", "anything");
    }
}
