package io.cairn.registry.card;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A model card with the field set of Google's Model Card Toolkit schema (model_details, model_parameters,
 * quantitative_analysis, considerations), in snake_case as the toolkit's JSON. Cairn adds three lineage fields the
 * toolkit lacks: a dataset's {@code digest}, {@code source_type} and {@code context}, and the run's
 * {@code hyperparameters}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ModelCard(ModelDetails model_details, ModelParameters model_parameters,
                        QuantitativeAnalysis quantitative_analysis, Considerations considerations) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ModelDetails(String name, String overview, String documentation, List<Owner> owners, Version version,
                               List<License> licenses, List<Reference> references, List<Citation> citations,
                               String path) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Owner(String name, String contact) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Version(String name, String date, String diff) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record License(String identifier, String custom_text) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Reference(String reference) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Citation(String style, String citation) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ModelParameters(String model_architecture, List<Dataset> data, String input_format,
                                  List<KeyVal> input_format_map, String output_format, List<KeyVal> output_format_map,
                                  List<KeyVal> hyperparameters) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Dataset(String name, String path, String digest, String source_type, String context, String link,
                          String description) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record KeyVal(String key, String value) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record QuantitativeAnalysis(List<PerformanceMetric> performance_metrics, Graphics graphics) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PerformanceMetric(String type, String value, String slice, ConfidenceInterval confidence_interval) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ConfidenceInterval(String lower_bound, String upper_bound) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Graphics(String description, List<Graphic> collection) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Graphic(String name, String image) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Considerations(List<Description> users, List<Description> use_cases, List<Description> limitations,
                                 List<Description> tradeoffs, List<Risk> ethical_considerations) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Description(String description) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Risk(String name, String mitigation_strategy) {
    }
}
