package io.cairn.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lineage graph laid out in four columns, data → runs → model versions → deployments, drawn as SVG by the page:
 * every node is a link to its page, every edge a curve from one column to the next.
 */
public record LineageGraph(String title, List<Node> nodes, List<Edge> edges, int width, int height) {

    public static final int NODE_WIDTH = 220;
    public static final int NODE_HEIGHT = 38;
    private static final int COLUMN_GAP = 70;
    private static final int ROW_GAP = 14;
    private static final int MARGIN = 10;
    static final List<String> COLUMNS = List.of("Data", "Runs", "Model versions", "Deployments");

    /** A node: its column (0 data, 1 run, 2 version, 3 deployment), label, link and position. */
    public record Node(String id, int column, String kind, String label, String href, double x, double y,
                       boolean start) {
    }

    /** An edge between two nodes, as an SVG path. */
    public record Edge(String from, String to, String path) {
    }

    public static double columnX(int column) {
        return MARGIN + column * (NODE_WIDTH + COLUMN_GAP);
    }

    /** Collects nodes and edges, then lays them out. */
    static final class Builder {
        private final Map<String, String[]> nodes = new LinkedHashMap<>(); // id → column, kind, label, href
        private final Set<List<String>> edges = new LinkedHashSet<>();
        private String start;

        Builder node(String id, int column, String kind, String label, String href) {
            nodes.putIfAbsent(id, new String[] {Integer.toString(column), kind, label, href});
            return this;
        }

        Builder start(String id) {
            start = id;
            return this;
        }

        Builder edge(String from, String to) {
            edges.add(List.of(from, to));
            return this;
        }

        boolean has(String id) {
            return nodes.containsKey(id);
        }

        LineageGraph build(String title) {
            int[] rows = new int[COLUMNS.size()];
            Map<String, Node> placed = new LinkedHashMap<>();
            for (Map.Entry<String, String[]> e : nodes.entrySet()) {
                int column = Integer.parseInt(e.getValue()[0]);
                double y = MARGIN + 24 + rows[column]++ * (NODE_HEIGHT + ROW_GAP);
                placed.put(e.getKey(), new Node(e.getKey(), column, e.getValue()[1], e.getValue()[2], e.getValue()[3],
                        columnX(column), y, e.getKey().equals(start)));
            }
            List<Edge> drawn = new ArrayList<>();
            for (List<String> e : edges) {
                Node a = placed.get(e.get(0));
                Node b = placed.get(e.get(1));
                if (a == null || b == null) {
                    continue;
                }
                double x1 = a.x() + NODE_WIDTH;
                double y1 = a.y() + NODE_HEIGHT / 2.0;
                double x2 = b.x();
                double y2 = b.y() + NODE_HEIGHT / 2.0;
                double mid = (x1 + x2) / 2;
                drawn.add(new Edge(a.id(), b.id(), String.format(java.util.Locale.ROOT,
                        "M%.1f %.1f C%.1f %.1f, %.1f %.1f, %.1f %.1f", x1, y1, mid, y1, mid, y2, x2, y2)));
            }
            int maxRows = 1;
            for (int r : rows) {
                maxRows = Math.max(maxRows, r);
            }
            int width = (int) columnX(COLUMNS.size() - 1) + NODE_WIDTH + MARGIN;
            int height = MARGIN * 2 + 24 + maxRows * (NODE_HEIGHT + ROW_GAP);
            return new LineageGraph(title, new ArrayList<>(placed.values()), drawn, width, height);
        }
    }

    public List<String> columns() {
        return COLUMNS;
    }

    /** A label cut to fit its box. */
    public static String fit(String label) {
        return Format.shorten(label, 30);
    }
}
