package io.cairn.web;

/**
 * Where the pages load their styles and scripts from. Browser libraries come from WebJars (Maven Central) at the
 * versions in the pom, which must match these paths; the dashboard's own two files from {@code static/assets}.
 */
public final class Assets {

    public static final String CSS = "/assets/cairn.css";
    public static final String JS = "/assets/cairn.js";
    public static final String HTMX_JS = "/webjars/htmx.org/2.0.4/dist/htmx.min.js";
    public static final String UPLOT_JS = "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js";
    public static final String UPLOT_CSS = "/webjars/uplot/1.6.30/dist/uPlot.min.css";

    private Assets() {
    }
}
