package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.LoadState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A browser tab on the dashboard that records what a person would not see but a broken page shows: console errors
 * (a Content Security Policy violation is one), uncaught script errors and failed requests. Also runs axe-core inside
 * the page and saves screenshots under {@code target/screenshots}.
 */
final class PageCheck implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final Path AXE = Path.of("target/axe/node_modules/axe-core/axe.min.js");
    private static final String AXE_SOURCE = readAxe();

    final BrowserContext context;
    final Page page;
    final List<String> problems = new CopyOnWriteArrayList<>();
    private final String base;

    /** A tab that enforces the pages' Content Security Policy, as a real browser does. */
    static PageCheck open(String base) {
        return new PageCheck(base, false);
    }

    /**
     * A tab that ignores the Content Security Policy: the escaping tests use it, so a value that escaped the templates'
     * escaping would run here even though the policy would have stopped it in a real browser.
     */
    static PageCheck withoutCsp(String base) {
        return new PageCheck(base, true);
    }

    private PageCheck(String base, boolean bypassCsp) {
        this.base = base;
        Browser browser = Chromium.browser();
        context = browser.newContext(new Browser.NewContextOptions().setBypassCSP(bypassCsp)
                .setViewportSize(1400, 900));
        // axe-core arrives as an init script (the browser's own injection, which the pages' CSP does not govern);
        // it only defines window.axe, which the pages never touch.
        context.addInitScript(AXE_SOURCE);
        page = context.newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                problems.add("console error: " + m.text());
            }
        });
        page.onPageError(e -> problems.add("page error: " + e));
        page.onResponse(r -> {
            if (r.status() >= 400) {
                problems.add("HTTP " + r.status() + " for " + r.url());
            }
        });
        page.onRequestFailed(r -> problems.add("request failed: " + r.url() + " " + r.failure()));
    }

    /** Opens a dashboard path and waits until the page and its fetches have settled. */
    Page go(String path) {
        page.navigate(base + path);
        page.waitForLoadState(LoadState.NETWORKIDLE);
        return page;
    }

    void assertClean() {
        assertThat(problems).as("problems on " + page.url()).isEmpty();
    }

    /** Runs axe-core in the page; returns the critical and serious violations, described. */
    List<String> seriousAccessibilityViolations() {
        String result = (String) page.evaluate("async () => JSON.stringify((await axe.run(document, "
                + "{resultTypes: ['violations']})).violations)");
        JsonNode violations = JsonMapper.builder().build().readTree(result);
        List<String> serious = new ArrayList<>();
        for (JsonNode v : violations) {
            String impact = v.path("impact").asString();
            if (impact.equals("critical") || impact.equals("serious")) {
                List<String> targets = new ArrayList<>();
                v.path("nodes").forEach(n -> targets.add(n.path("target").toString() + " " + n.path("failureSummary")
                        .asString().replace('\n', ' ')));
                serious.add(impact + " " + v.path("id").asString() + ": " + v.path("help").asString() + " at "
                        + targets);
            }
        }
        return serious;
    }

    private static String readAxe() {
        try {
            return Files.readString(AXE);
        } catch (IOException e) {
            throw new UncheckedIOException("axe-core is installed into target/axe by the Maven build "
                    + "(pre-integration-test); run the tests through ./mvnw verify", e);
        }
    }

    /** Forgets the problems a test expects (e.g. the 400 of a page that refuses a bad filter). */
    void expect(String problemFragment) {
        problems.removeIf(p -> p.contains(problemFragment));
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        context.close();
    }
}
