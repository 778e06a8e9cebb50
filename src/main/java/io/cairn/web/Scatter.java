package io.cairn.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scatter plot drawn on the server as SVG coordinates: x is a param (numeric when every value parses as a number,
 * else one band per distinct value), y a metric. Runs lacking either value are left out and counted.
 */
public record Scatter(List<Point> points, List<Tick> xTicks, List<Tick> yTicks, int leftOut) {

    public static final int WIDTH = 640;
    public static final int HEIGHT = 360;
    public static final int LEFT = 70;
    public static final int RIGHT = 20;
    public static final int TOP = 20;
    public static final int BOTTOM = 50;

    /** One run: position, and what its tooltip says. */
    public record Point(double cx, double cy, String label) {
    }

    /** An axis label at a position along its axis. */
    public record Tick(double at, String text) {
    }

    /** A run's x text (param value) and y value (metric), either possibly absent. */
    record Input(String name, String x, Double y) {
    }

    static Scatter of(List<Input> inputs) {
        List<Input> usable = new ArrayList<>();
        for (Input in : inputs) {
            if (in.x() != null && in.y() != null && Double.isFinite(in.y())) {
                usable.add(in);
            }
        }
        int leftOut = inputs.size() - usable.size();
        if (usable.isEmpty()) {
            return new Scatter(List.of(), List.of(), List.of(), leftOut);
        }
        boolean numeric = usable.stream().allMatch(in -> parse(in.x()) != null);
        double yMin = usable.stream().mapToDouble(Input::y).min().orElse(0);
        double yMax = usable.stream().mapToDouble(Input::y).max().orElse(1);
        if (yMin == yMax) {
            yMin -= 0.5;
            yMax += 0.5;
        }
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        List<Tick> xTicks = new ArrayList<>();
        Map<String, Integer> bands = new LinkedHashMap<>();
        double xMin = 0;
        double xMax = 1;
        if (numeric) {
            xMin = usable.stream().mapToDouble(in -> parse(in.x())).min().orElse(0);
            xMax = usable.stream().mapToDouble(in -> parse(in.x())).max().orElse(1);
            if (xMin == xMax) {
                xMin -= 0.5;
                xMax += 0.5;
            }
            for (int i = 0; i <= 4; i++) {
                double v = xMin + (xMax - xMin) * i / 4;
                xTicks.add(new Tick(LEFT + plotW * i / 4, Format.number(round(v))));
            }
        } else {
            usable.stream().map(Input::x).sorted().forEach(x -> bands.putIfAbsent(x, bands.size()));
            for (Map.Entry<String, Integer> band : bands.entrySet()) {
                xTicks.add(new Tick(LEFT + plotW * (band.getValue() + 0.5) / bands.size(),
                        Format.shorten(band.getKey(), 16)));
            }
        }
        List<Tick> yTicks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            double v = yMin + (yMax - yMin) * i / 4;
            yTicks.add(new Tick(TOP + plotH - plotH * i / 4, Format.number(round(v))));
        }
        List<Point> points = new ArrayList<>();
        for (Input in : usable) {
            double fx = numeric ? (parse(in.x()) - xMin) / (xMax - xMin) : (bands.get(in.x()) + 0.5) / bands.size();
            double fy = (in.y() - yMin) / (yMax - yMin);
            points.add(new Point(LEFT + plotW * fx, TOP + plotH - plotH * fy,
                    in.name() + ": " + in.x() + ", " + Format.number(in.y())));
        }
        return new Scatter(points, xTicks, yTicks, leftOut);
    }

    private static Double parse(String text) {
        try {
            double v = Double.parseDouble(text.strip());
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    /** A coordinate as SVG text: one decimal, a dot whatever the locale. */
    public static String at(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
