package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Predictions take only content types a web page cannot send across origins without a CORS preflight: a browser's
 * "simple request" (text/plain, a form, or no type at all) never reaches a model.
 */
@IntegrationTest
class ContentTypeIT {

    private static final String BODY = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", "
            + "\"data\": [1, 2, 3]}]}";

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    ServingFixtures fx;
    String name;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        String model = fx.model("ctype");
        fx.alias(model, "champion", fx.version(model, OnnxModels.scaling(3, 2f), Map.of()));
        name = fx.deployReady("ctype", model, "champion");
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    private Response post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return fx.http.send(request);
    }

    @Test
    void v2InferenceRefusesWhatABrowserSendsWithoutAPreflight() {
        String path = "/v2/models/" + name + "/infer";
        for (String simple : new String[] {"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", null}) {
            Response r = post(path, simple, BODY);
            assertThat(r.status()).as(simple + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().size()).isEqualTo(1);
            assertThat(r.json().get("error").asString()).contains("Content-Type")
                    .contains("application/json").contains("application/octet-stream");
        }
        assertThat(post(path, "not a media type", BODY).status()).isEqualTo(400);

        for (String accepted : new String[] {"application/json", "application/json; charset=utf-8",
                "application/octet-stream"}) {
            Response r = post(path, accepted, BODY);
            assertThat(r.status()).as(accepted + ": " + r.body()).isEqualTo(200);
            assertThat(r.json().at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0,6.0]");
        }
        // tritonclient sends binary requests with no Content-Type; its Inference-Header-Content-Length header is not
        // one a page may add without a preflight either.
        Response triton = post(path, null, BODY, "Inference-Header-Content-Length", String.valueOf(BODY.length()));
        assertThat(triton.status()).as(triton.body()).isEqualTo(200);
    }

    @Test
    void predictionByEntityTakesOnlyJson() {
        String path = "/api/v1/deployments/" + name + "/predict";
        String body = "{\"entities\": {\"driver_id\": [1]}}";
        for (String simple : new String[] {"text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", null}) {
            Response r = post(path, simple, body);
            assertThat(r.status()).as(simple + ": " + r.body()).isIn(400, 415);
            assertThat(r.json().get("detail").asString()).as(r.body()).contains("application/json");
            assertThat(r.json().get("code")).as(r.body()).isNotNull();
        }
        // JSON gets through to the prediction (which refuses this model: it has no feature references).
        Response json = post(path, "application/json", body);
        assertThat(json.status()).as(json.body()).isEqualTo(409);
    }
}
