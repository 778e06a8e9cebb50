package io.cairn.platform.security;

import static io.cairn.SecureIntegrationTest.ADMIN;
import static io.cairn.SecureIntegrationTest.ADMIN_PASSWORD;
import static io.cairn.SecureIntegrationTest.METRICS_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.HttpJson;
import io.cairn.SecureIntegrationTest;
import io.cairn.TestJwks;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Security on, as deployed: MLflow's Java client with Basic and with Bearer, OIDC tokens, expiry and revocation,
 * MLflow's user and permission API, the audit actor, the probes and the scrape token.
 */
@SecureIntegrationTest
class SecurityIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http admin;
    String suffix;

    @BeforeEach
    void setUp() {
        admin = Http.basic(port, ADMIN, ADMIN_PASSWORD);
        suffix = UUID.randomUUID().toString().substring(0, 8);
    }

    private String user(String name, String password) {
        HttpJson.Response created = admin.post("/api/2.0/mlflow/users/create",
                "{\"username\": \"" + name + "\", \"password\": \"" + password + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return name;
    }

    private String token(Http as, String name) {
        HttpJson.Response created = as.post("/api/v1/tokens", "{\"name\": \"" + name + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("token").asString();
    }

    @Test
    void mlflowJavaClientWorksWithBasicAuthAndIsRefusedWithAWrongPassword() {
        String alice = user("alice-" + suffix, "alice-password-123");
        MlflowClient client = new MlflowClient(new BasicMlflowHostCreds("http://127.0.0.1:" + port, alice,
                "alice-password-123"));
        String experimentId = client.createExperiment("basic-" + suffix);
        String runId = client.createRun(experimentId).getRunId();
        client.logMetric(runId, "auc", 0.91);
        assertThat(client.getRun(runId).getData().getMetrics(0).getValue()).isEqualTo(0.91);
        client.close();

        MlflowClient wrong = new MlflowClient(new BasicMlflowHostCreds("http://127.0.0.1:" + port, alice, "nope"));
        assertThatThrownBy(() -> wrong.getExperiment(experimentId))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> assertThat(e.getStatusCode()).isEqualTo(401));
        wrong.close();
        MlflowClient none = new MlflowClient("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> none.getExperiment(experimentId))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> assertThat(e.getStatusCode()).isEqualTo(401));
        none.close();
    }

    @Test
    void mlflowJavaClientWorksWithABearerTokenAndTheAuditActorIsTheTokensUser() {
        String bob = user("bob-" + suffix, "bob-password-1234");
        String token = token(Http.basic(port, bob, "bob-password-1234"), "ci");
        assertThat(token).startsWith("cairn_").hasSizeGreaterThan(40);
        MlflowClient client = new MlflowClient(new BasicMlflowHostCreds("http://127.0.0.1:" + port, token));
        String name = "bearer-model-" + suffix;
        client.sendPost("registered-models/create", "{\"name\": \"" + name + "\"}");
        assertThat(client.sendGet("registered-models/get?name=" + name)).contains(name);
        client.close();

        // The audit trail names the token's user, whatever the client claims in X-Cairn-User.
        HttpJson.Response tagged = Http.bearer(port, token).send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/2.0/mlflow/registered-models/set-tag"))
                .header("Content-Type", "application/json").header("X-Cairn-User", "mallory")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"key\": \"k\", \"value\": \"v\"}")));
        assertThat(tagged.status()).as(tagged.body()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT DISTINCT actor FROM audit_log WHERE entity_id = :id")
                .param("id", name).query(String.class).list()).containsExactly(bob);
        // The creator holds MANAGE on what it created.
        HttpJson.Response perm = admin.get("/api/2.0/mlflow/registered-models/permissions/get?name=" + name
                + "&username=" + bob);
        assertThat(perm.json().at("/registered_model_permission/permission").asString()).isEqualTo("MANAGE");
    }

    @Test
    void anExpiredOrRevokedTokenIsRefusedAndAnUnknownOneToo() throws Exception {
        String carol = user("carol-" + suffix, "carol-password-12");
        Http asCarol = Http.basic(port, carol, "carol-password-12");
        String token = token(asCarol, "laptop");
        assertThat(Http.bearer(port, token).get("/api/v1/tokens").status()).isEqualTo(200);

        long id = asCarol.get("/api/v1/tokens").json().get("tokens").get(0).get("id").asLong();
        assertThat(asCarol.send("DELETE", "/api/v1/tokens/" + id, null, null).status()).isEqualTo(204);
        HttpJson.Response revoked = Http.bearer(port, token).get("/api/v1/tokens");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.json().get("detail").asString()).contains("revoked");

        // A token that expired a minute ago (written as the service would, digest only).
        String expired = "cairn_expired" + UUID.randomUUID().toString().replace("-", "");
        long userId = jdbc.sql("SELECT user_id FROM users WHERE username = :u").param("u", carol)
                .query(Long.class).single();
        jdbc.sql("INSERT INTO api_tokens (user_id, name, digest, expires_at) VALUES (:u, 'old', :d, :e)")
                .param("u", userId).param("d", MessageDigest.getInstance("SHA-256")
                        .digest(expired.getBytes(StandardCharsets.UTF_8)))
                .param("e", Timestamp.from(Instant.now().minusSeconds(60))).update();
        HttpJson.Response late = Http.bearer(port, expired).get("/api/v1/tokens");
        assertThat(late.status()).isEqualTo(401);
        assertThat(late.json().get("detail").asString()).contains("expired");

        assertThat(Http.bearer(port, "cairn_" + "x".repeat(43)).get("/api/v1/tokens").status()).isEqualTo(401);
        // Only the digest is stored.
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE encode(digest, 'escape') LIKE '%cairn_%'")
                .query(Long.class).single()).isZero();
    }

    @Test
    void oidcTokensSignedByTheConfiguredKeyWorkAndExpiredOrForgedOnesDoNot() {
        String dana = "dana-" + suffix;
        String jwt = TestJwks.get().token(dana, Instant.now().plusSeconds(600));
        MlflowClient client = new MlflowClient(new BasicMlflowHostCreds("http://127.0.0.1:" + port, jwt));
        String experimentId = client.createExperiment("oidc-" + suffix);
        client.close();
        // The user was provisioned on first sight and owns what it created.
        HttpJson.Response perm = admin.get("/api/2.0/mlflow/experiments/permissions/get?experiment_id="
                + experimentId + "&username=" + dana);
        assertThat(perm.json().at("/experiment_permission/permission").asString()).isEqualTo("MANAGE");
        assertThat(jdbc.sql("SELECT actor FROM audit_log WHERE entity_type = 'user' AND entity_id = :u")
                .param("u", dana).query(String.class).list()).isEmpty();

        HttpJson.Response expired = Http.bearer(port, TestJwks.get().token(dana, Instant.now().minusSeconds(120)))
                .get("/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errorCode()).isEqualTo("UNAUTHENTICATED");
        HttpJson.Response forged = Http.bearer(port, TestJwks.get().forged(dana, Instant.now().plusSeconds(600)))
                .get("/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId);
        assertThat(forged.status()).isEqualTo(401);
    }

    @Test
    void mlflowUserAndPermissionApiGrantsAndRevokesAccess() {
        String owner = user("owner-" + suffix, "owner-password-1");
        String reader = user("reader-" + suffix, "reader-password-1");
        Http asOwner = Http.basic(port, owner, "owner-password-1");
        Http asReader = Http.basic(port, reader, "reader-password-1");
        String experimentId = asOwner.post("/api/2.0/mlflow/experiments/create",
                "{\"name\": \"perm-" + suffix + "\"}").json().get("experiment_id").asString();

        // MLflow's default is READ: the other user may read but not change it.
        assertThat(asReader.get("/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId).status())
                .isEqualTo(200);
        HttpJson.Response denied = asReader.post("/api/2.0/mlflow/experiments/set-experiment-tag",
                "{\"experiment_id\": \"" + experimentId + "\", \"key\": \"k\", \"value\": \"v\"}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.errorCode()).isEqualTo("PERMISSION_DENIED");

        // The owner grants EDIT; then NO_PERMISSIONS hides it completely.
        HttpJson.Response granted = asOwner.post("/api/2.0/mlflow/experiments/permissions/create",
                "{\"experiment_id\": \"" + experimentId + "\", \"username\": \"" + reader
                        + "\", \"permission\": \"EDIT\"}");
        assertThat(granted.status()).as(granted.body()).isEqualTo(200);
        assertThat(granted.json().at("/experiment_permission/permission").asString()).isEqualTo("EDIT");
        assertThat(asReader.post("/api/2.0/mlflow/experiments/set-experiment-tag",
                "{\"experiment_id\": \"" + experimentId + "\", \"key\": \"k\", \"value\": \"v\"}").status())
                .isEqualTo(200);
        assertThat(asOwner.send("PATCH", "/api/2.0/mlflow/experiments/permissions/update",
                "{\"experiment_id\": \"" + experimentId + "\", \"username\": \"" + reader
                        + "\", \"permission\": \"NO_PERMISSIONS\"}", "application/json").status()).isEqualTo(200);
        assertThat(asReader.get("/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId).status())
                .isEqualTo(403);
        assertThat(asReader.post("/api/2.0/mlflow/experiments/search", "{\"max_results\": 1000}").body())
                .doesNotContain("perm-" + suffix);
        // Someone without MANAGE cannot grant itself more.
        assertThat(asReader.post("/api/2.0/mlflow/experiments/permissions/create",
                "{\"experiment_id\": \"" + experimentId + "\", \"username\": \"" + reader
                        + "\", \"permission\": \"MANAGE\"}").status()).isEqualTo(403);
        assertThat(asOwner.send("DELETE", "/api/2.0/mlflow/experiments/permissions/delete",
                "{\"experiment_id\": \"" + experimentId + "\", \"username\": \"" + reader + "\"}",
                "application/json").status()).isEqualTo(200);
        assertThat(asReader.get("/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId).status())
                .isEqualTo(200);

        // users/get shows a user its own grants; only admins see others or create users.
        HttpJson.Response me = asOwner.get("/api/2.0/mlflow/users/get?username=" + owner);
        assertThat(me.json().at("/user/username").asString()).isEqualTo(owner);
        assertThat(me.json().at("/user/experiment_permissions/0/permission").asString()).isEqualTo("MANAGE");
        assertThat(asOwner.get("/api/2.0/mlflow/users/get?username=" + reader).status()).isEqualTo(403);
        assertThat(asOwner.post("/api/2.0/mlflow/users/create",
                "{\"username\": \"x-" + suffix + "\", \"password\": \"whatever-password\"}").status()).isEqualTo(403);
    }

    @Test
    void passwordChangesAdminFlagsAndDeletionTakeEffectAtOnce() {
        String erin = user("erin-" + suffix, "erin-password-12");
        Http old = Http.basic(port, erin, "erin-password-12");
        assertThat(old.get("/api/v1/tokens").status()).isEqualTo(200);
        assertThat(old.send("PATCH", "/api/2.0/mlflow/users/update-password",
                "{\"username\": \"" + erin + "\", \"password\": \"erin-new-password\"}", "application/json").status())
                .isEqualTo(200);
        assertThat(old.get("/api/v1/tokens").status()).isEqualTo(401);
        Http renewed = Http.basic(port, erin, "erin-new-password");
        assertThat(renewed.get("/api/v1/users").status()).isEqualTo(403);
        assertThat(admin.send("PATCH", "/api/2.0/mlflow/users/update-admin",
                "{\"username\": \"" + erin + "\", \"is_admin\": true}", "application/json").status()).isEqualTo(200);
        assertThat(renewed.get("/api/v1/users").status()).isEqualTo(200);
        assertThat(admin.send("DELETE", "/api/2.0/mlflow/users/delete", "{\"username\": \"" + erin + "\"}",
                "application/json").status()).isEqualTo(200);
        assertThat(renewed.get("/api/v1/tokens").status()).isEqualTo(401);
        // Short passwords and names with a colon are refused with MLflow's error.
        HttpJson.Response weak = admin.post("/api/2.0/mlflow/users/create",
                "{\"username\": \"w-" + suffix + "\", \"password\": \"short\"}");
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(admin.post("/api/2.0/mlflow/users/create",
                "{\"username\": \"a:b\", \"password\": \"long-enough-password\"}").status()).isEqualTo(400);
    }

    @Test
    void probesArePublicButDetailsMetricsAndTheAuditTrailAreNot() {
        Http anonymous = Http.anonymous(port);
        assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/readiness").status()).isEqualTo(200);
        HttpJson.Response health = anonymous.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("UP").doesNotContain("components").doesNotContain("version");
        assertThat(admin.get("/actuator/health").body()).contains("components").contains("redis");

        assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(Http.bearer(port, METRICS_TOKEN).get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(Http.bearer(port, METRICS_TOKEN).get("/api/2.0/mlflow/experiments/search").status())
                .isEqualTo(403);
        String frank = user("frank-" + suffix, "frank-password-1");
        assertThat(Http.basic(port, frank, "frank-password-1").get("/actuator/prometheus").status()).isEqualTo(403);
        assertThat(Http.basic(port, frank, "frank-password-1").get("/api/v1/audit").status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/audit?limit=1").status()).isEqualTo(200);
        // 401s come in each protocol's own error format.
        assertThat(anonymous.get("/api/2.0/mlflow/experiments/search").errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymous.get("/api/v1/feature-views").json().get("code").asString()).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymous.post("/v2/models/x/infer", "{}").json().get("error").asString())
                .contains("Authentication required");
        assertThat(anonymous.post("/get-online-features", "{}").json().get("detail").asString())
                .contains("Authentication required");
    }

    @Test
    void htmlAndEveryOtherAnswerCarryTheBrowserSecurityHeaders() {
        String name = "card-model-" + suffix;
        admin.post("/api/2.0/mlflow/registered-models/create", "{\"name\": \"" + name + "\"}");
        java.net.http.HttpResponse<String> page;
        try {
            page = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/models/" + name + "/versions/1/card.html"))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            (ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // No version 1 exists: the 404 still carries the headers, as every answer does.
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("Set-Cookie")).as("no sessions, so nothing for CSRF to ride on")
                .isEmpty();
    }

    @Test
    void xCairnUserNamesTheUserOnlyWhenATrustedProxySendsIt() throws Exception {
        String grace = "grace-" + suffix;
        // From 127.0.0.1, which is not a trusted proxy, the header alone authenticates nobody.
        assertThat(raw("127.0.0.1", "GET /api/v1/tokens HTTP/1.1", grace)).startsWith("HTTP/1.1 401");
        // From the configured proxy address (127.0.0.2/32) it does, and the user is provisioned.
        assertThat(raw("127.0.0.2", "GET /api/v1/tokens HTTP/1.1", grace)).startsWith("HTTP/1.1 200");
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE username = :u").param("u", grace)
                .query(Long.class).single()).isEqualTo(1);
    }

    private String raw(String from, String requestLine, String proxyUser) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Cairn-User: " + proxyUser
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
