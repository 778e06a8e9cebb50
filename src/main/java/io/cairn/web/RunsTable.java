package io.cairn.web;

import io.cairn.tracking.Experiment;
import io.cairn.tracking.RunBrowsing;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the runs table page shows: one page of an experiment's runs with the chosen columns, the keys there are to
 * choose from, and the filter, order and page that produced it (so every link keeps them).
 *
 * @param error the search's own message when the filter or order was refused; the page shows it beside the box
 */
public record RunsTable(Experiment experiment, String filter, String order, int page, int pageSize,
                        List<RunColumn> columns, RunBrowsing.Columns available, List<RunBrowsing.Row> rows,
                        boolean hasNext, String error) {

    public static final String DEFAULT_ORDER = "attributes.start_time DESC";

    public String path() {
        return "/experiments/" + Format.segment(experiment.experimentId());
    }

    public boolean chosen(RunColumn.Kind kind, String key) {
        return columns.contains(new RunColumn(kind, key));
    }

    public Set<String> columnIds() {
        return columns.stream().map(RunColumn::id).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    private Query base() {
        return new Query(path()).add("filter", filter).add("cols", "1").addAll("col", columnIds())
                .add("size", pageSize == RunsPages.DEFAULT_PAGE_SIZE ? null : pageSize);
    }

    /** The link that orders by this column: descending first, ascending when it is already descending. */
    public String sortLink(String searchName) {
        String next = (searchName + " DESC").equals(order) ? searchName + " ASC" : searchName + " DESC";
        return base().add("order", next).toString();
    }

    /** "descending", "ascending" or "none", for aria-sort on the column header. */
    public String sortState(String searchName) {
        if ((searchName + " DESC").equals(order)) {
            return "descending";
        }
        if ((searchName + " ASC").equals(order)) {
            return "ascending";
        }
        return "none";
    }

    public String pageLink(int n) {
        return base().add("order", DEFAULT_ORDER.equals(order) ? null : order).add("page", n == 1 ? null : n).toString();
    }

    public String compareAction() {
        return path() + "/compare";
    }

    public int firstRow() {
        return (page - 1) * pageSize + 1;
    }
}
