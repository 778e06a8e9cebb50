package io.cairn.registry.card;

import io.cairn.registry.card.ModelCard.Description;
import io.cairn.registry.card.ModelCard.KeyVal;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.springframework.web.util.HtmlUtils;

/** Renders a card as a self-contained, printable HTML page; every value is HTML-escaped. */
final class ModelCardHtml {

    private ModelCardHtml() {
    }

    static String render(CardRevision revision) {
        ModelCard card = revision.card();
        StringBuilder html = new StringBuilder(4096);
        String title = "Model card: " + revision.name() + " v" + revision.version();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
                        + "padding:0 1rem;color:#1f2328}h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;"
                        + "padding-bottom:.3rem;margin-top:2rem}table{border-collapse:collapse;width:100%}"
                        + "td,th{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}"
                        + "th{background:#f6f8fa}.meta{color:#59636e}</style></head><body>\n");
        html.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"meta\">Revision ").append(revision.revision())
                .append(", ").append(esc(Instant.ofEpochMilli(revision.created_at()).toString())).append(", by ")
                .append(esc(revision.author())).append("</p>\n");

        ModelCard.ModelDetails d = card.model_details();
        html.append("<h2>Model details</h2>\n");
        if (d != null) {
            paragraph(html, d.overview());
            table(html, new String[] {"Field", "Value"}, List.of(
                    new String[] {"Name", d.name()},
                    new String[] {"Version", d.version() == null ? null : d.version().name()},
                    new String[] {"Date", d.version() == null ? null : d.version().date()},
                    new String[] {"Artifacts", d.path()},
                    new String[] {"Documentation", d.documentation()}));
            list(html, "Owners", d.owners(), o -> o.name() + (o.contact() == null ? "" : " (" + o.contact() + ")"));
            list(html, "Licenses", d.licenses(), l -> l.identifier() != null ? l.identifier() : l.custom_text());
            list(html, "References", d.references(), ModelCard.Reference::reference);
            list(html, "Citations", d.citations(), ModelCard.Citation::citation);
        }

        ModelCard.ModelParameters p = card.model_parameters();
        html.append("<h2>Model parameters</h2>\n");
        if (p != null) {
            paragraph(html, p.model_architecture() == null ? null : "Architecture: " + p.model_architecture());
            keyValues(html, "Inputs", p.input_format_map(), p.input_format());
            keyValues(html, "Outputs", p.output_format_map(), p.output_format());
            if (p.data() != null && !p.data().isEmpty()) {
                html.append("<h3>Training data</h3>\n");
                table(html, new String[] {"Name", "Context", "Digest", "Source"}, p.data().stream()
                        .map(x -> new String[] {x.name(), x.context(), x.digest(), x.path()}).toList());
            }
            keyValues(html, "Hyperparameters", p.hyperparameters(), null);
        }

        ModelCard.QuantitativeAnalysis q = card.quantitative_analysis();
        html.append("<h2>Quantitative analysis</h2>\n");
        if (q != null && q.performance_metrics() != null && !q.performance_metrics().isEmpty()) {
            table(html, new String[] {"Metric", "Slice", "Value", "95% interval"}, q.performance_metrics().stream()
                    .map(m -> new String[] {m.type(), m.slice() == null ? "overall" : m.slice(), m.value(),
                            m.confidence_interval() == null ? null
                                    : m.confidence_interval().lower_bound() + " – " + m.confidence_interval().upper_bound()})
                    .toList());
        }

        CardRevision.Monitoring m = revision.monitoring();
        if (m != null) {
            html.append("<h2>Monitoring</h2>\n");
            table(html, new String[] {"Tag", "Value"}, List.of(
                    new String[] {"Task (cairn.task)", m.task()},
                    new String[] {"Score output (cairn.score_output)", m.score_output()},
                    new String[] {"Threshold (cairn.threshold)", m.threshold() == null ? null
                            : Double.toString(m.threshold())},
                    new String[] {"Features (cairn.features)", m.features() == null || m.features().isEmpty() ? null
                            : String.join(", ", m.features())},
                    new String[] {"Label column (cairn.label)", m.label()}));
        }

        ModelCard.Considerations c = card.considerations();
        html.append("<h2>Considerations</h2>\n");
        if (c != null) {
            list(html, "Intended users", c.users(), Description::description);
            list(html, "Use cases", c.use_cases(), Description::description);
            list(html, "Limitations", c.limitations(), Description::description);
            list(html, "Trade-offs", c.tradeoffs(), Description::description);
            list(html, "Ethical considerations", c.ethical_considerations(),
                    r -> r.name() + (r.mitigation_strategy() == null ? "" : " — mitigation: " + r.mitigation_strategy()));
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void paragraph(StringBuilder html, String text) {
        if (text != null && !text.isBlank()) {
            html.append("<p>").append(esc(text)).append("</p>\n");
        }
    }

    private static void keyValues(StringBuilder html, String heading, List<KeyVal> entries, String raw) {
        if (entries != null && !entries.isEmpty()) {
            html.append("<h3>").append(esc(heading)).append("</h3>\n");
            table(html, new String[] {"Name", "Value"},
                    entries.stream().map(e -> new String[] {e.key(), e.value()}).toList());
        } else if (raw != null && !raw.isBlank()) {
            html.append("<h3>").append(esc(heading)).append("</h3>\n<pre>").append(esc(raw)).append("</pre>\n");
        }
    }

    private static <T> void list(StringBuilder html, String heading, List<T> items, Function<T, String> text) {
        if (items == null || items.isEmpty()) {
            return;
        }
        html.append("<h3>").append(esc(heading)).append("</h3>\n<ul>\n");
        for (T item : items) {
            html.append("<li>").append(esc(text.apply(item))).append("</li>\n");
        }
        html.append("</ul>\n");
    }

    private static void table(StringBuilder html, String[] header, List<String[]> rows) {
        html.append("<table><tr>");
        for (String h : header) {
            html.append("<th>").append(esc(h)).append("</th>");
        }
        html.append("</tr>\n");
        for (String[] row : rows) {
            if (row.length == 2 && row[1] == null) {
                continue;
            }
            html.append("<tr>");
            for (String cell : row) {
                html.append("<td>").append(esc(cell)).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private static String esc(String s) {
        return s == null ? "" : HtmlUtils.htmlEscape(s);
    }
}
