package io.cairn.platform.search;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.NulCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses MLflow's search filter and order_by grammar: clauses joined by AND, identifiers
 * {@code <entity>.<key>} with an optionally back-tick or double-quoted key, string values in single or double
 * quotes, numbers, and parenthesised lists for IN / NOT IN.
 */
public final class SearchSyntax {

    private final String text;
    private int pos;

    private SearchSyntax(String text) {
        this.text = text;
    }

    /** Parses a filter; null or blank means no clauses. */
    public static List<Comparison> parseFilter(String filter) {
        List<Comparison> clauses = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return clauses;
        }
        NulCheck.noNul("filter", filter);
        SearchSyntax parser = new SearchSyntax(filter);
        while (true) {
            clauses.add(parser.comparison());
            parser.skipSpace();
            if (parser.atEnd()) {
                return clauses;
            }
            String word = parser.word();
            if (word.equalsIgnoreCase("OR")) {
                throw invalid(filter, "OR is not supported; only AND may join clauses");
            }
            if (!word.equalsIgnoreCase("AND")) {
                throw invalid(filter, "expected AND at position " + parser.pos + " but found '" + word + "'");
            }
        }
    }

    /** Parses one order_by term such as {@code metrics.`my metric` DESC}. */
    public static OrderBy parseOrderBy(String term) {
        if (term == null || term.isBlank()) {
            throw CairnException.invalid("Invalid order_by clause '': it must name a column, e.g. 'metrics.acc DESC'.");
        }
        NulCheck.noNul("order_by", term);
        SearchSyntax parser = new SearchSyntax(term);
        Identifier id = parser.identifier();
        parser.skipSpace();
        boolean ascending = true;
        if (!parser.atEnd()) {
            String direction = parser.word();
            if (direction.equalsIgnoreCase("DESC")) {
                ascending = false;
            } else if (!direction.equalsIgnoreCase("ASC")) {
                throw CairnException.invalid("Invalid order_by clause '" + term
                        + "': the direction must be ASC or DESC, got '" + direction + "'.");
            }
            parser.skipSpace();
            if (!parser.atEnd()) {
                throw CairnException.invalid("Invalid order_by clause '" + term + "': unexpected text after the direction.");
            }
        }
        return new OrderBy(id.entity, id.key, ascending);
    }

    private record Identifier(Comparison.Entity entity, String key) {
    }

    private Comparison comparison() {
        Identifier id = identifier();
        skipSpace();
        String comparator = comparator();
        skipSpace();
        Object value;
        if (comparator.equals("IN") || comparator.equals("NOT IN")) {
            value = stringList();
        } else if (peek() == '\'' || peek() == '"') {
            value = quoted();
        } else {
            value = number();
        }
        return new Comparison(id.entity, id.key, comparator, value);
    }

    private Identifier identifier() {
        skipSpace();
        int start = pos;
        if (!atEnd() && peek() == '`') {
            // A back-quoted prefix, e.g. `metrics`.acc
            pos = text.indexOf('`', pos + 1) + 1;
            if (pos == 0) {
                throw invalid(text, "unterminated back-quoted identifier");
            }
        }
        while (!atEnd() && peek() != '.' && !Character.isWhitespace(peek()) && "=!<>(".indexOf(peek()) < 0) {
            pos++;
        }
        String prefix = text.substring(start, pos).replace("`", "");
        if (prefix.isEmpty()) {
            throw invalid(text, "expected an identifier like 'metrics.<key>', 'params.<key>', 'tags.<key>' or "
                    + "'attributes.<name>' at position " + start);
        }
        if (atEnd() || peek() != '.') {
            // MLflow reads an identifier without an entity prefix as an attribute, e.g. "name LIKE 'x%'".
            return new Identifier(Comparison.Entity.ATTRIBUTE, prefix);
        }
        pos++;
        Comparison.Entity entity = entity(prefix);
        String key;
        if (!atEnd() && (peek() == '`' || peek() == '"' || peek() == '\'')) {
            key = quoted();
        } else {
            int keyStart = pos;
            while (!atEnd() && !Character.isWhitespace(peek()) && "=!<>(".indexOf(peek()) < 0) {
                pos++;
            }
            key = text.substring(keyStart, pos);
        }
        if (key.isEmpty()) {
            throw invalid(text, "the identifier '" + prefix + ".' has no key");
        }
        return new Identifier(entity, key);
    }

    private Comparison.Entity entity(String prefix) {
        return switch (prefix.toLowerCase(Locale.ROOT)) {
            case "metric", "metrics" -> Comparison.Entity.METRIC;
            case "param", "params", "parameter", "parameters" -> Comparison.Entity.PARAM;
            case "tag", "tags" -> Comparison.Entity.TAG;
            case "attribute", "attributes", "attr", "run" -> Comparison.Entity.ATTRIBUTE;
            case "dataset", "datasets" -> Comparison.Entity.DATASET;
            default -> throw invalid(text, "invalid entity type '" + prefix
                    + "'; valid types are metrics, params, tags, attributes, datasets");
        };
    }

    private String comparator() {
        if (atEnd()) {
            throw invalid(text, "missing comparator at the end");
        }
        for (String symbol : new String[] {"<=", ">=", "!=", "<>", "=", "<", ">"}) {
            if (text.startsWith(symbol, pos)) {
                pos += symbol.length();
                return symbol.equals("<>") ? "!=" : symbol;
            }
        }
        String word = word().toUpperCase(Locale.ROOT);
        if (word.equals("NOT")) {
            skipSpace();
            String next = word().toUpperCase(Locale.ROOT);
            if (next.equals("IN") || next.equals("LIKE") || next.equals("ILIKE")) {
                return "NOT " + next;
            }
            throw invalid(text, "expected IN, LIKE or ILIKE after NOT, found '" + next + "'");
        }
        if (word.equals("LIKE") || word.equals("ILIKE") || word.equals("IN")) {
            return word;
        }
        throw invalid(text, "invalid comparator '" + word + "'");
    }

    private List<String> stringList() {
        if (atEnd() || peek() != '(') {
            throw invalid(text, "IN needs a parenthesised list of quoted strings, e.g. ('a', 'b')");
        }
        pos++;
        List<String> values = new ArrayList<>();
        while (true) {
            skipSpace();
            if (atEnd() || (peek() != '\'' && peek() != '"')) {
                throw invalid(text, "IN lists hold quoted strings only");
            }
            values.add(quoted());
            skipSpace();
            if (atEnd()) {
                throw invalid(text, "unclosed IN list");
            }
            char c = text.charAt(pos++);
            if (c == ')') {
                return values;
            }
            if (c != ',') {
                throw invalid(text, "expected ',' or ')' in IN list, found '" + c + "'");
            }
        }
    }

    private String quoted() {
        char quote = text.charAt(pos++);
        StringBuilder out = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw invalid(text, "unterminated quoted string");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                // A doubled quote inside a quoted string stands for one quote character, as in SQL.
                if (!atEnd() && peek() == quote) {
                    out.append(quote);
                    pos++;
                    continue;
                }
                return out.toString();
            }
            if (c == '\\' && !atEnd() && peek() == quote) {
                out.append(quote);
                pos++;
                continue;
            }
            out.append(c);
        }
    }

    private Double number() {
        int start = pos;
        while (!atEnd() && !Character.isWhitespace(peek())) {
            pos++;
        }
        String token = text.substring(start, pos);
        try {
            return Double.valueOf(token);
        } catch (NumberFormatException e) {
            throw invalid(text, "expected a number or a quoted string but found '" + token
                    + "'; quote string values, e.g. params.optimizer = 'adam'");
        }
    }

    private String word() {
        int start = pos;
        while (!atEnd() && Character.isLetter(peek())) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(peek())) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return text.charAt(pos);
    }

    private static CairnException invalid(String filter, String why) {
        return CairnException.invalid("Invalid search filter '" + filter + "': " + why + ".");
    }
}
