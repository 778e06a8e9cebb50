// Cairn dashboard: draws the metric charts (uPlot) from the server's downsampled series, and fetches detail when a
// range is selected. Everything else on the pages is plain HTML and forms. No inline scripts: the pages' Content
// Security Policy allows scripts from this origin only.
(function () {
  "use strict";

  var COLORS = ["#0b57d0", "#b3261e", "#146c2e", "#8e4ec6", "#a05a00", "#00639b", "#c2185b", "#3c4043", "#6b5e00", "#006a6a"];

  function note(figure, text) {
    var p = figure.querySelector(".chart-note");
    if (p) { p.textContent = text; }
  }

  function withRange(url, from, to) {
    var u = new URL(url, window.location.origin);
    if (from != null) { u.searchParams.set("from", String(Math.floor(from))); } else { u.searchParams.delete("from"); }
    if (to != null) { u.searchParams.set("to", String(Math.ceil(to))); } else { u.searchParams.delete("to"); }
    return u.pathname + u.search;
  }

  function getJson(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function () { throw new Error("the server answered " + r.status); });
      }
      return r.json();
    });
  }

  function size(el) {
    return { width: Math.max(280, el.clientWidth || 600), height: 240 };
  }

  function zoomable(figure, plotEl, load) {
    var chart = null;
    function draw(data, series) {
      if (chart) { chart.destroy(); }
      var dims = size(plotEl);
      chart = new uPlot({
        width: dims.width, height: dims.height,
        scales: { x: { time: false } },
        series: series,
        legend: { show: series.length > 2 },
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          setSelect: [function (u) {
            if (u.select.width < 4) { return; }
            var from = u.posToVal(u.select.left, "x");
            var to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            load(from, to);
          }]
        }
      }, data, plotEl);
      chart.over.addEventListener("dblclick", function () { load(null, null); });
      figure.dataset.drawn = "true";
    }
    return draw;
  }

  function seriesChart(figure) {
    var plotEl = figure.querySelector(".plot");
    var url = figure.dataset.series;
    var draw;
    function load(from, to) {
      note(figure, "Loading…");
      getJson(withRange(url, from, to)).then(function (s) {
        draw([s.steps, s.values], [{ label: "step" }, { label: s.key, stroke: COLORS[0], width: 1.5 }]);
        var range = from == null ? "" : " between steps " + Math.floor(from) + " and " + Math.ceil(to);
        note(figure, (s.downsampled ? s.steps.length + " of " + s.total + " points" : s.total + " points") + range
          + (s.downsampled ? " (downsampled; drag across the chart for detail" : " (drag across the chart to zoom")
          + (from == null ? ")" : ", double-click to reset)"));
      }).catch(function (e) { note(figure, "The history could not be loaded: " + e.message + "."); });
    }
    draw = zoomable(figure, plotEl, load);
    load(null, null);
  }

  function compareChart(figure) {
    var plotEl = figure.querySelector(".plot");
    var url = figure.dataset.compare;
    var draw;
    function load(from, to) {
      note(figure, "Loading…");
      getJson(url).then(function (c) {
        var steps = c.steps;
        var data = [steps];
        var series = [{ label: "step" }];
        c.runs.forEach(function (r, i) {
          data.push(r.values);
          series.push({ label: r.name, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true });
        });
        if (from != null) {
          var keep = [];
          steps.forEach(function (s, i) { if (s >= from && s <= to) { keep.push(i); } });
          data = data.map(function (col) { return keep.map(function (i) { return col[i]; }); });
        }
        draw(data, series);
        note(figure, c.runs.length + " runs, " + data[0].length + " steps shown (drag to zoom"
          + (from == null ? ")" : ", double-click to reset)"));
      }).catch(function (e) { note(figure, "The histories could not be loaded: " + e.message + "."); });
    }
    draw = zoomable(figure, plotEl, load);
    load(null, null);
  }

  function qualityChart(figure) {
    var plotEl = figure.querySelector(".plot");
    note(figure, "Loading…");
    getJson(figure.dataset.quality).then(function (q) {
      var data = [q.x];
      var series = [{ label: "window" }];
      var bands = [];
      q.lines.forEach(function (line, i) {
        var color = COLORS[i % COLORS.length];
        data.push(line.value, line.low, line.high);
        series.push({ label: line.label, stroke: color, width: 2, points: { show: true } },
          { label: line.label + " low", stroke: color, width: 0, show: true, points: { show: false } },
          { label: line.label + " high", stroke: color, width: 0, show: true, points: { show: false } });
        var base = 1 + i * 3;
        bands.push({ series: [base + 2, base + 1], fill: color + "22" });
      });
      var dims = size(plotEl);
      // One window alone would give uPlot an empty x range: pad it by an hour each side.
      var x = q.x.length === 1 ? { time: true, range: [q.x[0] - 3600, q.x[0] + 3600] } : { time: true };
      new uPlot({ width: dims.width, height: dims.height, series: series, bands: bands, legend: { show: true },
        scales: { x: x } }, data, plotEl);
      figure.dataset.drawn = "true";
      note(figure, q.lines.length + " line(s) over " + q.x.length + " windows; shaded: 95% confidence interval.");
    }).catch(function (e) { note(figure, "Quality could not be loaded: " + e.message + "."); });
  }

  function init(root) {
    if (typeof uPlot === "undefined") { return; }
    root.querySelectorAll("figure.chart:not([data-started])").forEach(function (figure) {
      figure.dataset.started = "true";
      if (figure.dataset.series) { seriesChart(figure); }
      else if (figure.dataset.compare) { compareChart(figure); }
      else if (figure.dataset.quality) { qualityChart(figure); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
