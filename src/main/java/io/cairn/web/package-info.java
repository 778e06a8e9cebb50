/**
 * The dashboard: server-rendered HTML pages at {@code /} (JTE templates in {@code src/main/jte}, htmx for in-place
 * updates, uPlot for charts, all served by this jar). It reads and changes state only through the other modules'
 * public services, with the same permission checks as their APIs; it owns no tables.
 */
package io.cairn.web;
