package io.cairn.registry;

import io.cairn.platform.error.CairnException;
import java.util.List;
import java.util.Locale;

/** MLflow's model version stages, accepted in any case and returned in canonical form. */
final class Stages {

    static final List<String> ALL = List.of("None", "Staging", "Production", "Archived");

    private Stages() {
    }

    static String canonical(String stage) {
        if (stage != null) {
            for (String s : ALL) {
                if (s.toLowerCase(Locale.ROOT).equals(stage.toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        throw CairnException.invalid("Invalid Model Version stage: " + stage + ". Value must be one of "
                + String.join(", ", ALL) + ".");
    }
}
