package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.LoadState;
import io.cairn.SecureIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With security on, as Helm and compose deploy it: a browser is sent to the sign-in form, signs in with a password
 * into a session cookie (HttpOnly, SameSite=Lax), sees pages as that user, and signs out, after which the same cookie
 * opens nothing. Changes need the CSRF token: a cross-site form post carrying the cookie alone is refused.
 */
@SecureIntegrationTest
class DashboardSignInIT {

    @LocalServerPort
    int port;

    @Test
    void aBrowserSignsInWithAFormUsesItsSessionAndSignsOut() throws Exception {
        String base = "http://127.0.0.1:" + port;
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/experiments?q=abc");
            assertThat(page.url()).startsWith(base + "/login?next=");
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();
            tab.screenshot("login");

            page.locator("#username").fill(SecureIntegrationTest.ADMIN);
            page.locator("#password").fill("not the password");
            page.locator("form.login button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.locator("#login-error").innerText()).contains("Invalid user name or password");
            tab.expect("401");

            page.locator("#password").fill(SecureIntegrationTest.ADMIN_PASSWORD);
            page.locator("form.login button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.url()).isEqualTo(base + "/experiments?q=abc");
            assertThat(page.locator("form.signout").innerText()).contains(SecureIntegrationTest.ADMIN);

            Cookie session = tab.context.cookies().stream().filter(c -> c.name.equals("cairn_session")).findFirst()
                    .orElseThrow();
            assertThat(session.httpOnly).isTrue();
            assertThat(session.sameSite.name()).isEqualTo("LAX");

            // A form posted from another site carries the cookie but not the CSRF token: refused.
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> forged = client.send(HttpRequest.newBuilder(URI.create(base + "/logout"))
                    .header("Cookie", "cairn_session=" + session.value)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).isEqualTo(403);
            // The session cookie does not authenticate the API: its requests carry their own credentials.
            HttpResponse<String> api = client.send(HttpRequest.newBuilder(URI.create(base
                            + "/api/2.0/mlflow/experiments/search?max_results=1"))
                    .header("Cookie", "cairn_session=" + session.value).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(401);

            page.locator("form.signout button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.url()).startsWith(base + "/login");
            tab.assertClean();

            // The old cookie opens nothing any more: its token was revoked.
            HttpResponse<String> reused = client.send(HttpRequest.newBuilder(URI.create(base + "/experiments"))
                    .header("Cookie", "cairn_session=" + session.value).header("Accept", "text/html").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reused.statusCode()).isEqualTo(302);
            assertThat(reused.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                    .contains("/login?next="));
        }
    }

    @Test
    void aSignedInReaderSeesPagesButEveryChangeFormIsRefused() throws Exception {
        String base = "http://127.0.0.1:" + port;
        String suffix = java.util.UUID.randomUUID().toString().substring(0, 8);
        String viewer = "viewer-" + suffix;
        String model = "signin-model-" + suffix;
        HttpClient client = HttpClient.newHttpClient();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((SecureIntegrationTest.ADMIN + ":"
                + SecureIntegrationTest.ADMIN_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String[] call : new String[][] {
                {"/api/2.0/mlflow/users/create", "{\"username\": \"" + viewer + "\", \"password\": \"password-of-viewer\"}"},
                {"/api/2.0/mlflow/registered-models/create", "{\"name\": \"" + model + "\"}"}}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + call[0]))
                    .header("Authorization", basic).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(call[1])).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/login?next=/models/" + model);
            page.locator("#username").fill(viewer);
            page.locator("#password").fill("password-of-viewer");
            page.locator("form.login button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.url()).isEqualTo(base + "/models/" + model); // READ, the default: the page opens
            assertThat(page.locator("nav").innerText()).doesNotContain("Admin"); // ... and it is no admin's

            // A form with a valid CSRF token, posted by a user who may only read: refused with a page that says so.
            Object status = page.evaluate("async ([path, token]) => { const body = new URLSearchParams("
                    + "{alias: 'champion', version: '1', _csrf: token}); const r = await fetch(path, {method: 'POST', "
                    + "body, credentials: 'same-origin'}); return r.status; }", java.util.List.of("/models/" + model
                    + "/aliases", page.locator("form.signout input[name=_csrf]").inputValue()));
            assertThat(status).isEqualTo(403);
            page = tab.go("/admin");
            assertThat(page.locator("h1").innerText()).contains("You do not have access");
            tab.expect("403");
            tab.assertClean();
        }
    }

    @Test
    void theSignInFormOnlyRedirectsWithinThisServer() {
        for (String next : List.of("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x")) {
            assertThat(LoginPage.safe(next)).isEqualTo("/");
        }
        assertThat(LoginPage.safe("/experiments/3?filter=a")).isEqualTo("/experiments/3?filter=a");
    }
}
