package io.cairn.web;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.Page;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.ExperimentService;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunBrowsing;
import io.cairn.tracking.RunService;
import io.cairn.tracking.ViewType;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/** {@code /experiments}: the experiment list and an experiment's runs table. */
@Controller
@DashboardPage
class RunsPages {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final List<Integer> PAGE_SIZES = List.of(25, 50, 100, 200);
    /** Columns shown before the user chooses: the first metrics and params of the experiment's newest runs. */
    private static final int DEFAULT_METRIC_COLUMNS = 5;
    private static final int DEFAULT_PARAM_COLUMNS = 3;
    /** More chosen columns than this is refused: each is a join in nobody's interest on one screen. */
    static final int MAX_COLUMNS = 40;
    private static final int EXPERIMENTS_PER_PAGE = 50;
    private static final int MAX_PAGE = 100_000;
    static final int MAX_COMPARED = 10;

    private final ExperimentService experiments;
    private final RunBrowsing browsing;
    private final RunService runs;
    private final Access access;

    RunsPages(ExperimentService experiments, RunBrowsing browsing, RunService runs, Access access) {
        this.experiments = experiments;
        this.runs = runs;
        this.browsing = browsing;
        this.access = access;
    }

    @GetMapping("/experiments")
    String list(@RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page, Model model,
                HttpServletResponse response) {
        int p = page(page);
        String query = q == null ? "" : q.strip();
        String filter = Format.nameContains(query);
        Page<Experiment> found;
        String error = null;
        try {
            found = experiments.search(filter, List.of("last_update_time DESC"), ViewType.ACTIVE_ONLY,
                    EXPERIMENTS_PER_PAGE, PageToken.next(0, (p - 1) * EXPERIMENTS_PER_PAGE, p > 1));
        } catch (CairnException e) {
            found = new Page<>(List.of(), null);
            error = e.getMessage();
            response.setStatus(e.code().httpStatus());
        }
        List<Experiment> visible = access.readable(ResourceType.EXPERIMENT, found.items(), Experiment::experimentId);
        Map<String, Long> counts = browsing.runCounts(visible.stream().map(Experiment::experimentId).toList());
        model.addAttribute("list", new ExperimentList(query, visible, counts, p, found.nextPageToken() != null, error));
        return "experiments";
    }

    @GetMapping("/experiments/{experimentId}")
    String runs(@PathVariable String experimentId, @RequestParam(required = false) String filter,
                @RequestParam(required = false) String order, @RequestParam(required = false) List<String> col,
                @RequestParam(required = false) String cols, @RequestParam(defaultValue = "1") int page,
                @RequestParam(defaultValue = "" + DEFAULT_PAGE_SIZE) int size, Model model,
                HttpServletResponse response) {
        access.require(ResourceType.EXPERIMENT, experimentId, Permission.READ);
        Experiment experiment = experiments.get(experimentId);
        int p = page(page);
        if (!PAGE_SIZES.contains(size)) {
            throw CairnException.invalid("Page size " + size + " is not offered; choose one of " + PAGE_SIZES + ".");
        }
        RunBrowsing.Columns available = browsing.keys(experimentId);
        List<RunColumn> columns = cols == null ? defaultColumns(available) : chosen(col);
        String text = filter == null ? "" : filter.strip();
        String ordering = order == null || order.isBlank() ? RunsTable.DEFAULT_ORDER : order.strip();
        Page<RunBrowsing.Row> rows;
        String error = null;
        try {
            rows = browsing.table(experimentId, text, List.of(ordering), ViewType.ACTIVE_ONLY, size, (p - 1) * size,
                    columnsOf(columns));
        } catch (CairnException e) {
            rows = new Page<>(List.of(), null);
            error = e.getMessage();
            response.setStatus(e.code().httpStatus());
        }
        model.addAttribute("table", new RunsTable(experiment, text, ordering, p, size, columns, available,
                rows.items(), rows.nextPageToken() != null, error));
        return "runs";
    }

    @GetMapping("/experiments/{experimentId}/compare")
    String compare(@PathVariable String experimentId, @RequestParam(required = false) List<String> run,
                   @RequestParam(required = false) String metric, @RequestParam(required = false) String x,
                   @RequestParam(required = false) String y, Model model) {
        access.require(ResourceType.EXPERIMENT, experimentId, Permission.READ);
        Experiment experiment = experiments.get(experimentId);
        List<Run> compared = comparedRuns(experiment, run);
        CompareView draft = new CompareView(experiment, compared, null, null, null, null);
        List<String> metricKeys = List.copyOf(draft.metricKeys());
        List<String> paramKeys = List.copyOf(draft.paramKeys());
        String chartMetric = metric != null && metricKeys.contains(metric) ? metric
                : metricKeys.isEmpty() ? null : metricKeys.get(0);
        String scatterParam = x != null && paramKeys.contains(x) ? x : paramKeys.isEmpty() ? null : paramKeys.get(0);
        String scatterMetric = y != null && metricKeys.contains(y) ? y : chartMetric;
        Scatter scatter = null;
        if (scatterParam != null && scatterMetric != null) {
            List<Scatter.Input> inputs = new ArrayList<>();
            for (Run r : compared) {
                Double value = r.latestMetrics().stream().filter(m -> m.key().equals(scatterMetric))
                        .map(Metric::value).findFirst().orElse(null);
                inputs.add(new Scatter.Input(CompareView.name(r), r.params().get(scatterParam), value));
            }
            scatter = Scatter.of(inputs);
        }
        model.addAttribute("view", new CompareView(experiment, compared, chartMetric, scatterParam, scatterMetric,
                scatter));
        return "compare";
    }

    /** One metric of the compared runs on one x axis, each run downsampled to {@code RunPages.MAX_POINTS}. */
    @GetMapping(path = "/experiments/{experimentId}/compare/series", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    CompareSeriesJson compareSeries(@PathVariable String experimentId, @RequestParam(required = false) List<String> run,
                                    @RequestParam String key) {
        access.require(ResourceType.EXPERIMENT, experimentId, Permission.READ);
        Experiment experiment = experiments.get(experimentId);
        List<Run> compared = comparedRuns(experiment, run);
        List<SeriesJson> each = new ArrayList<>();
        java.util.TreeSet<Long> steps = new java.util.TreeSet<>();
        for (Run r : compared) {
            SeriesJson s = SeriesJson.of(browsing.series(r.info().runId(), key, null, null), RunPages.MAX_POINTS);
            each.add(s);
            for (long step : s.steps()) {
                steps.add(step);
            }
        }
        long[] xs = steps.stream().mapToLong(Long::longValue).toArray();
        List<CompareSeriesJson.RunSeries> lines = new ArrayList<>();
        for (int i = 0; i < compared.size(); i++) {
            SeriesJson s = each.get(i);
            Double[] values = new Double[xs.length];
            int j = 0;
            for (int k = 0; k < s.steps().length; k++) {
                while (xs[j] < s.steps()[k]) {
                    j++;
                }
                values[j] = s.values()[k]; // several points at one step: the last one in history order shows
            }
            lines.add(new CompareSeriesJson.RunSeries(compared.get(i).info().runId(), CompareView.name(compared.get(i)),
                    values));
        }
        return new CompareSeriesJson(key, xs, lines);
    }

    private List<Run> comparedRuns(Experiment experiment, List<String> runIds) {
        List<String> ids = runIds == null ? List.of() : runIds.stream().distinct().toList();
        if (ids.size() < 2 || ids.size() > MAX_COMPARED) {
            throw CairnException.invalid("Compare needs between 2 and " + MAX_COMPARED + " runs; " + ids.size()
                    + " were selected. Tick the runs in the table, then press Compare.");
        }
        List<Run> compared = new ArrayList<>();
        for (Run r : runs.getAll(ids)) {
            String id = r.info().runId();
            if (!r.info().experimentId().equals(experiment.experimentId())) {
                throw CairnException.invalid("Run " + id + " belongs to another experiment; compare runs of "
                        + experiment.name() + ".");
            }
            compared.add(r);
        }
        return compared;
    }

    private static List<RunColumn> defaultColumns(RunBrowsing.Columns available) {
        List<RunColumn> columns = new ArrayList<>();
        available.metrics().stream().limit(DEFAULT_METRIC_COLUMNS)
                .forEach(k -> columns.add(new RunColumn(RunColumn.Kind.METRIC, k)));
        available.params().stream().limit(DEFAULT_PARAM_COLUMNS)
                .forEach(k -> columns.add(new RunColumn(RunColumn.Kind.PARAM, k)));
        return columns;
    }

    private static List<RunColumn> chosen(List<String> col) {
        List<RunColumn> columns = new ArrayList<>();
        for (String c : col == null ? List.<String>of() : col) {
            RunColumn column = RunColumn.parse(c);
            if (column == null) {
                throw CairnException.invalid("Column '" + Format.shorten(c, 80) + "' names no metric, param or tag: "
                        + "write metrics.<key>, params.<key> or tags.<key>.");
            }
            if (!columns.contains(column)) {
                columns.add(column);
            }
        }
        if (columns.size() > MAX_COLUMNS) {
            throw CairnException.invalid(columns.size() + " columns were chosen; the table shows at most "
                    + MAX_COLUMNS + ".");
        }
        return columns;
    }

    static RunBrowsing.Columns columnsOf(List<RunColumn> columns) {
        List<String> metrics = new ArrayList<>();
        List<String> params = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (RunColumn c : columns) {
            (c.kind() == RunColumn.Kind.METRIC ? metrics : c.kind() == RunColumn.Kind.PARAM ? params : tags)
                    .add(c.key());
        }
        return new RunBrowsing.Columns(metrics, params, tags);
    }

    static int page(int page) {
        if (page < 1 || page > MAX_PAGE) {
            throw CairnException.invalid("Page " + page + " does not exist; pages are numbered from 1 to " + MAX_PAGE
                    + ".");
        }
        return page;
    }
}
