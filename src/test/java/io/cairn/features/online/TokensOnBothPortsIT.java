package io.cairn.features.online;

import static io.cairn.SecureIntegrationTest.ADMIN;
import static io.cairn.SecureIntegrationTest.ADMIN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.SecureIntegrationTest;
import io.cairn.serving.OnnxModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With security on, online reads take API tokens on the main port and on the feature server's own port, and
 * one-row inference takes them on the main port; without credentials, or with a user holding NO_PERMISSIONS, both
 * ports refuse in Feast's and V2's formats.
 */
@SecureIntegrationTest
class TokensOnBothPortsIT {

    @LocalServerPort
    int port;

    @Autowired
    FeatureServer featureServer;

    private final String s = UUID.randomUUID().toString().substring(0, 8);
    private final HttpJson main = new HttpJson("http://127.0.0.1:" + 0);

    private HttpJson.Response send(int onPort, String method, String path, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + onPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return main.send(request);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private String ok(HttpJson.Response response) {
        assertThat(response.status()).as(response.body()).isBetween(200, 299);
        return response.body();
    }

    @Test
    void onlineReadsAndInferenceTakeTokensAndRefuseOthers() throws Exception {
        String admin = basic(ADMIN, ADMIN_PASSWORD);
        String entity = "tok_entity_" + s;
        String view = "tok_view_" + s;
        ok(send(port, "PUT", "/api/v1/entities/" + entity, "{\"join_key\": \"tok_id\", \"value_type\": \"INT64\"}",
                admin));
        ok(send(port, "PUT", "/api/v1/feature-views/" + view, "{\"entities\": [\"" + entity + "\"], \"features\": "
                + "[{\"name\": \"x\", \"type\": \"FLOAT64\"}], \"online\": true}", admin));
        ok(send(port, "POST", "/push", "{\"push_source_name\": \"" + view + "\", \"df\": {\"tok_id\": [7], \"x\": "
                + "[0.25], \"event_timestamp\": [\"" + Instant.now() + "\"]}}", admin));

        String user = "tok-user-" + s;
        ok(send(port, "POST", "/api/2.0/mlflow/users/create", "{\"username\": \"" + user
                + "\", \"password\": \"tok-user-password\"}", admin));
        String token = HttpJson.mapper().readTree(ok(send(port, "POST", "/api/v1/tokens", "{\"name\": \"svc\"}",
                basic(user, "tok-user-password")))).get("token").asString();
        String read = "{\"features\": [\"" + view + ":x\"], \"entities\": {\"tok_id\": [7]}}";
        for (int p : new int[] {port, featureServer.port()}) {
            HttpJson.Response answer = send(p, "POST", "/get-online-features", read, "Bearer " + token);
            assertThat(answer.status()).as("port " + p + ": " + answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("0.25");
            // Twice: the second read is answered from remembered credentials on the event loop.
            assertThat(send(p, "POST", "/get-online-features", read, "Bearer " + token).status()).isEqualTo(200);
            HttpJson.Response anonymous = send(p, "POST", "/get-online-features", read, null);
            assertThat(anonymous.status()).as("port " + p).isEqualTo(401);
            assertThat(anonymous.json().get("detail").asString()).contains("Authentication required");
            assertThat(send(p, "POST", "/get-online-features", read, "Bearer cairn_unknown0000000000000000000000000000000")
                    .status()).isEqualTo(401);
            assertThat(send(p, "GET", "/health", null, null).status()).isEqualTo(200);
        }
        ok(send(port, "PUT", "/api/v1/permissions/feature-views/" + view + "/users/" + user,
                "{\"permission\": \"NO_PERMISSIONS\"}", admin));
        for (int p : new int[] {port, featureServer.port()}) {
            HttpJson.Response denied = send(p, "POST", "/get-online-features", read, "Bearer " + token);
            assertThat(denied.status()).as("port " + p).isEqualTo(403);
            assertThat(denied.json().get("detail").asString()).contains("NO_PERMISSIONS");
            assertThat(send(p, "POST", "/push", "{\"push_source_name\": \"" + view + "\", \"df\": {\"tok_id\": [7], "
                    + "\"x\": [9.0], \"event_timestamp\": [\"" + Instant.now() + "\"]}}", "Bearer " + token).status())
                    .isEqualTo(403);
        }

        // One-row inference with the same token on the main port.
        String model = "tok-model-" + s;
        String dir = "tok-" + s + "/model";
        ok(send(port, "POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": \"" + model + "\"}", admin));
        byte[] onnx = OnnxModels.scaling(2, 3f);
        HttpRequest.Builder upload = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/model.onnx"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(onnx)).header("Authorization", admin);
        assertThat(main.send(upload).status()).isEqualTo(200);
        ok(send(port, "POST", "/api/2.0/mlflow/model-versions/create", "{\"name\": \"" + model
                + "\", \"source\": \"mlflow-artifacts:/" + dir + "\"}", admin));
        ok(send(port, "POST", "/api/2.0/mlflow/registered-models/alias", "{\"name\": \"" + model
                + "\", \"alias\": \"champion\", \"version\": \"1\"}", admin));
        String deployment = "tok-dep-" + s;
        ok(send(port, "PUT", "/api/v1/deployments/" + deployment, "{\"model\": \"" + model
                + "\", \"alias\": \"champion\"}", admin));
        HttpJson.Response metadata = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> send(port, "GET", "/v2/models/" + deployment, null, "Bearer " + token),
                        r -> r.status() == 200);
        String input = metadata.json().at("/inputs/0/name").asString();
        String infer = "{\"inputs\": [{\"name\": \"" + input + "\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"data\": [1.0, 2.0]}]}";
        HttpJson.Response inferred = send(port, "POST", "/v2/models/" + deployment + "/infer", infer,
                "Bearer " + token);
        assertThat(inferred.status()).as(inferred.body()).isEqualTo(200);
        assertThat(inferred.body()).contains("3.0").contains("6.0");
        assertThat(send(port, "POST", "/v2/models/" + deployment + "/infer", infer, null).status()).isEqualTo(401);
        ok(send(port, "PUT", "/api/v1/permissions/deployments/" + deployment + "/users/" + user,
                "{\"permission\": \"NO_PERMISSIONS\"}", admin));
        HttpJson.Response refused = send(port, "POST", "/v2/models/" + deployment + "/infer", infer, "Bearer " + token);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("error").asString()).contains("Permission denied");
    }

    /**
     * One keep-alive connection to the feature server: what it remembers of its last request's credentials lapses
     * when the token is revoked, and a request with another header on the same connection is judged on its own.
     */
    @Test
    void aConnectionsRememberedTokenLapsesWhenRevokedAndAnotherHeaderIsJudgedAfresh() throws Exception {
        String admin = basic(ADMIN, ADMIN_PASSWORD);
        String entity = "conn_entity_" + s;
        String view = "conn_view_" + s;
        ok(send(port, "PUT", "/api/v1/entities/" + entity, "{\"join_key\": \"conn_id\", \"value_type\": \"INT64\"}",
                admin));
        ok(send(port, "PUT", "/api/v1/feature-views/" + view, "{\"entities\": [\"" + entity + "\"], \"features\": "
                + "[{\"name\": \"x\", \"type\": \"FLOAT64\"}], \"online\": true}", admin));
        String reader = "conn-reader-" + s;
        String barred = "conn-barred-" + s;
        for (String user : new String[] {reader, barred}) {
            ok(send(port, "POST", "/api/2.0/mlflow/users/create", "{\"username\": \"" + user
                    + "\", \"password\": \"conn-user-password\"}", admin));
        }
        ok(send(port, "PUT", "/api/v1/permissions/feature-views/" + view + "/users/" + barred,
                "{\"permission\": \"NO_PERMISSIONS\"}", admin));
        String readerToken = HttpJson.mapper().readTree(ok(send(port, "POST", "/api/v1/tokens", "{\"name\": \"a\"}",
                basic(reader, "conn-user-password")))).get("token").asString();
        String barredToken = HttpJson.mapper().readTree(ok(send(port, "POST", "/api/v1/tokens", "{\"name\": \"b\"}",
                basic(barred, "conn-user-password")))).get("token").asString();
        String read = "{\"features\": [\"" + view + ":x\"], \"entities\": {\"conn_id\": [1]}}";

        try (Socket socket = new Socket("127.0.0.1", featureServer.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(out, in, read, "Bearer " + readerToken)).isEqualTo(200);
            }
            assertThat(exchange(out, in, read, "Bearer " + barredToken)).isEqualTo(403);
            assertThat(exchange(out, in, read, "Bearer " + readerToken)).isEqualTo(200);

            long id = HttpJson.mapper().readTree(ok(send(port, "GET", "/api/v1/tokens", null,
                    basic(reader, "conn-user-password")))).get("tokens").get(0).get("id").asLong();
            assertThat(send(port, "DELETE", "/api/v1/tokens/" + id, null, basic(reader, "conn-user-password"))
                    .status()).isEqualTo(204);
            assertThat(exchange(out, in, read, "Bearer " + readerToken)).isEqualTo(401);
        }
    }

    /** Sends one read on the connection and returns the answer's status, having read its whole body. */
    private static int exchange(OutputStream out, BufferedReader in, String body, String authorization)
            throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: " + authorization + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        String status = in.readLine();
        assertThat(status).startsWith("HTTP/1.1 ");
        int length = -1;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
            assertThat(line.toLowerCase()).doesNotContain("connection: close");
        }
        assertThat(length).as("a keep-alive answer has a length").isGreaterThanOrEqualTo(0);
        char[] rest = new char[length]; // the answers are ASCII JSON, so characters are bytes
        for (int read = 0; read < length; ) {
            int n = in.read(rest, read, length - read);
            assertThat(n).isPositive();
            read += n;
        }
        return Integer.parseInt(status.substring(9, 12));
    }
}
