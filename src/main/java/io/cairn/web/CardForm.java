package io.cairn.web;

import io.cairn.registry.card.ModelCard;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The card's human fields as a form: text for the overview and documentation, one line per owner
 * ({@code Name <contact>}) and per consideration. Turns the submitted form into the JSON merge patch that
 * {@code ModelCards.edit} takes, an emptied field removing the value.
 */
public record CardForm(String overview, String documentation, String owners, String users, String useCases,
                       String limitations, String tradeoffs) {

    static CardForm of(ModelCard card) {
        ModelCard.ModelDetails d = card.model_details();
        ModelCard.Considerations c = card.considerations();
        return new CardForm(d == null ? "" : text(d.overview()), d == null ? "" : text(d.documentation()),
                d == null ? "" : lines(d.owners(), o -> o.name() + (o.contact() == null ? "" : " <" + o.contact() + ">")),
                c == null ? "" : lines(c.users(), ModelCard.Description::description),
                c == null ? "" : lines(c.use_cases(), ModelCard.Description::description),
                c == null ? "" : lines(c.limitations(), ModelCard.Description::description),
                c == null ? "" : lines(c.tradeoffs(), ModelCard.Description::description));
    }

    JsonNode patch() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode patch = f.objectNode();
        ObjectNode details = patch.putObject("model_details");
        put(details, "overview", overview);
        put(details, "documentation", documentation);
        List<String> ownerLines = split(owners);
        if (ownerLines.isEmpty()) {
            details.putNull("owners");
        } else {
            ArrayNode list = details.putArray("owners");
            for (String line : ownerLines) {
                ObjectNode owner = list.addObject();
                int lt = line.lastIndexOf('<');
                if (line.endsWith(">") && lt > 0) {
                    owner.put("name", line.substring(0, lt).strip());
                    owner.put("contact", line.substring(lt + 1, line.length() - 1).strip());
                } else {
                    owner.put("name", line);
                }
            }
        }
        ObjectNode considerations = patch.putObject("considerations");
        descriptions(considerations, "users", users);
        descriptions(considerations, "use_cases", useCases);
        descriptions(considerations, "limitations", limitations);
        descriptions(considerations, "tradeoffs", tradeoffs);
        return patch;
    }

    private static void put(ObjectNode node, String field, String value) {
        if (value == null || value.isBlank()) {
            node.putNull(field);
        } else {
            node.put(field, value.strip().replace("\r\n", "\n"));
        }
    }

    private static void descriptions(ObjectNode node, String field, String text) {
        List<String> lines = split(text);
        if (lines.isEmpty()) {
            node.putNull(field);
            return;
        }
        ArrayNode list = node.putArray(field);
        lines.forEach(line -> list.addObject().put("description", line));
    }

    private static List<String> split(String text) {
        List<String> lines = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\r?\n")) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        }
        return lines;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static <T> String lines(List<T> items, Function<T, String> text) {
        if (items == null) {
            return "";
        }
        return String.join("\n", items.stream().map(text).toList());
    }
}
