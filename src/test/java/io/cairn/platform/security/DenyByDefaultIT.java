package io.cairn.platform.security;

import static io.cairn.SecureIntegrationTest.ADMIN;
import static io.cairn.SecureIntegrationTest.ADMIN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.SecureIntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Every request mapping the application has — read from Spring's handler mappings, actuator's included, so a new
 * endpoint is in here without anyone adding it — is called by five identities that must not get through: no
 * credentials, a wrong password, an unknown token (all 401), a user holding READ on every resource (403 for whatever
 * changes something or needs more than READ) and a user holding NO_PERMISSIONS on every resource (403 for everything
 * that touches one). The requests name real resources created by the admin. Across all refused calls nothing is
 * written: every table's row count and the audit trail stay as they were. Public endpoints and the few that any
 * signed-in user may call (creating, listing, one's own tokens) are the explicit, short lists below.
 */
@SecureIntegrationTest
class DenyByDefaultIT {

    /** Endpoints anyone may call: the probes, the error page and the API's description (and its browser). */
    private static final List<String> PUBLIC = List.of("GET /actuator/health", "GET /actuator/health/liveness",
            "GET /actuator/health/readiness", "GET /v2/health/live", "GET /v2/health/ready", "GET /health",
            "* /error", "* /login", "POST /logout", "GET /v3/api-docs", "GET /v3/api-docs.yaml",
            "GET /v3/api-docs/swagger-config", "GET /v3/api-docs/{group}", "GET /swagger-ui.html");

    /** What any signed-in user may do without a permission on an existing resource: create new ones and list. */
    private static final List<String> ANY_USER = List.of(
            "POST /{api}/2.0/mlflow/experiments/create", "POST /{api}/2.0/mlflow/registered-models/create",
            "* /{api}/2.0/mlflow/experiments/search", "GET /{api}/2.0/mlflow/registered-models/search",
            "GET /{api}/2.0/mlflow/model-versions/search", "GET /api/v1/entities", "GET /api/v1/feature-views",
            "GET /api/v1/training-sets", "GET /api/v1/deployments", "GET /v2",
            // The dashboard's pages that list (showing only what the user may read).
            "GET /", "GET /experiments", "GET /models", "GET /features", "GET /deployments", "GET /lineage");

    /**
     * The dashboard's forms (sign-in and sign-out among them): every POST to them without the CSRF token, which
     * these requests do not carry, is refused (403) before anything else, whoever sends it. DashboardSignInIT posts
     * them with the token and checks their permissions.
     */
    private static final Pattern CSRF_FORMS = Pattern.compile("POST /(login|logout|models/.*|admin/.*)");

    /** Requests that only read although they are POSTs (searches, reads with bodies, inference). */
    private static final List<String> READS = List.of("POST /{api}/2.0/mlflow/runs/search",
            "POST /{api}/2.0/mlflow/registered-models/get-latest-versions", "POST /get-online-features",
            "POST /api/v1/training-sets", "POST /v2/models/{name}/infer", "POST /v2/models/{name}/versions/{version}/infer",
            "POST /api/v1/deployments/{name}/predict");

    /** About users, tokens and the whole server: the admin's, or one's own (the requests name the admin). */
    private static final Pattern ADMIN_ONLY = Pattern.compile(
            "\\S+ (/(api|ajax-api)/2\\.0/mlflow/users/.*|/api/v1/(users|tokens|audit).*|/actuator.*|/audit|/admin.*)");

    /** Dashboard pages that show the form for a change: a GET, but only for who may make the change (EDIT). */
    private static final List<String> EDIT_PAGES = List.of("GET /models/{name}/aliases/confirm",
            "GET /models/{name}/versions/{version}/card/edit");

    /** Reading or changing grants needs MANAGE, whatever the method. */
    private static final Pattern MANAGE = Pattern.compile("\\S+ (.*/permissions/.*)");

    enum Kind { PUBLIC, ANY_USER, READ, WRITE, ADMIN }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    JdbcClient jdbc;

    private final String s = UUID.randomUUID().toString().substring(0, 8);
    private final String entity = "deny_entity_" + s;
    private final String view = "deny_view_" + s;
    private final String trainingSet = "deny_set_" + s;
    private final String model = "deny-model-" + s;
    private final String deployment = "deny-dep-" + s;
    private String experiment;
    private String run;
    private long adminToken;

    @Test
    void everyEndpointRefusesWhoeverMayNotUseItAndWritesNothing() {
        Http admin = Http.basic(port, ADMIN, ADMIN_PASSWORD);
        createResources(admin);
        String reader = user(admin, "reader-" + s, Permission.READ);
        String nobody = user(admin, "nobody-" + s, Permission.NO_PERMISSIONS);
        Map<String, Http> intruders = new LinkedHashMap<>();
        intruders.put("no credentials", Http.anonymous(port));
        intruders.put("wrong password", Http.basic(port, reader, "not-the-password"));
        intruders.put("unknown token", Http.bearer(port, "cairn_" + UUID.randomUUID().toString().replace("-", "")
                + "0123456789a"));
        Http asReader = Http.basic(port, reader, "password-of-" + reader);
        Http asNobody = Http.basic(port, nobody, "password-of-" + nobody);

        List<String[]> endpoints = endpoints();
        assertThat(endpoints).hasSizeGreaterThan(100);
        Map<String, Long> before = rowCounts();
        List<String> failures = new ArrayList<>();
        List<String[]> allowed = new ArrayList<>();
        for (String[] endpoint : endpoints) {
            String key = endpoint[0] + " " + endpoint[1];
            Kind kind = kind(key);
            for (Map.Entry<String, Http> intruder : intruders.entrySet()) {
                int status = call(intruder.getValue(), endpoint).status();
                boolean csrfForm = CSRF_FORMS.matcher(key).matches();
                if (csrfForm ? status != 403 : kind == Kind.PUBLIC ? status == 401 : status != 401) {
                    failures.add(key + " as " + intruder.getKey() + ": " + status);
                }
            }
            expect(failures, allowed, asReader, "READ user", endpoint, kind,
                    kind == Kind.WRITE || kind == Kind.ADMIN);
            expect(failures, allowed, asNobody, "NO_PERMISSIONS user", endpoint, kind,
                    kind == Kind.READ || kind == Kind.WRITE || kind == Kind.ADMIN);
        }
        assertThat(rowCounts()).as("rows after every refused request").isEqualTo(before);
        for (String[] call : allowed) {
            Http as = call[3].equals("reader") ? asReader : asNobody;
            HttpJson.Response answer = call(as, call);
            boolean csrfRefusal = CSRF_FORMS.matcher(call[0] + " " + call[1]).matches() && answer.status() == 403
                    && answer.body().contains("CSRF");
            if (!csrfRefusal && (answer.status() == 401 || answer.status() == 403 || answer.status() == 500)) {
                failures.add(call[0] + " " + call[1] + " as " + call[3] + " (allowed): " + answer.status() + " "
                        + answer.body());
            } else if (call[3].equals("nobody") && leaks(answer.body())) {
                failures.add(call[0] + " " + call[1] + " lists a resource the user may not see: " + answer.body());
            }
        }
        assertThat(failures).isEmpty();
    }

    /** Whether a listing shows one of the resources the NO_PERMISSIONS user holds no permission on. */
    private boolean leaks(String body) {
        if (body.startsWith("<!DOCTYPE html>")) {
            // A dashboard page: no link to, or cell naming, a resource the user may not see. (Names alone may
            // appear: the listing calls above let this user create an experiment named like the model.)
            return body.contains("/models/" + model + "\"") || body.contains("/deployments/" + deployment + "\"")
                    || body.contains(">" + view + "<") || body.contains(">" + entity + "<")
                    || body.contains(">" + trainingSet + "<");
        }
        String compact = body.replace(" ", "");
        return compact.contains("\"experiment_id\":\"" + experiment + "\"") || compact.contains("\"name\":\"" + model + "\",\"creation")
                || compact.contains("\"name\":\"" + model + "\",\"version") || compact.contains("\"name\":\"" + entity + "\"")
                || compact.contains("\"name\":\"" + view + "\"") || compact.contains("\"name\":\"" + trainingSet + "\"")
                || compact.contains("\"name\":\"" + deployment + "\"");
    }

    private void expect(List<String> failures, List<String[]> allowed, Http as, String who, String[] endpoint,
                        Kind kind, boolean denied) {
        if (!denied) {
            allowed.add(new String[] {endpoint[0], endpoint[1], endpoint[2], who.startsWith("READ") ? "reader" : "nobody"});
            return;
        }
        HttpJson.Response answer = call(as, endpoint);
        if (answer.status() != 403) {
            failures.add(endpoint[0] + " " + endpoint[1] + " as " + who + ": " + answer.status() + " " + answer.body());
        }
    }

    private Kind kind(String key) {
        String generic = key.replaceFirst(" /(api|ajax-api)/2\\.0/", " /{api}/2.0/");
        for (String p : PUBLIC) {
            if (matches(p, key)) {
                return Kind.PUBLIC;
            }
        }
        if (ADMIN_ONLY.matcher(key).matches() || MANAGE.matcher(key).matches()) {
            return Kind.ADMIN;
        }
        if (EDIT_PAGES.contains(key)) {
            return Kind.WRITE;
        }
        for (String p : ANY_USER) {
            if (matches(p, generic)) {
                return Kind.ANY_USER;
            }
        }
        for (String p : READS) {
            if (matches(p, generic)) {
                return Kind.READ;
            }
        }
        return key.startsWith("GET ") ? Kind.READ : Kind.WRITE;
    }

    private static boolean matches(String rule, String key) {
        return rule.startsWith("* ") ? key.substring(key.indexOf(' ')).equals(rule.substring(1)) : rule.equals(key);
    }

    /** Every mapping as {method, pattern, consumed content type}; a mapping for any method counts as GET. */
    private List<String[]> endpoints() {
        TreeSet<String> seen = new TreeSet<>();
        List<String[]> out = new ArrayList<>();
        for (RequestMappingInfoHandlerMapping mapping : context.getBeansOfType(RequestMappingInfoHandlerMapping.class)
                .values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                List<String> methods = info.getMethodsCondition().getMethods().isEmpty() ? List.of("GET")
                        : info.getMethodsCondition().getMethods().stream().map(RequestMethod::name).toList();
                String consumes = info.getConsumesCondition().getConsumableMediaTypes().stream().findFirst()
                        .map(Object::toString).orElse("application/json");
                for (String pattern : info.getPatternValues()) {
                    for (String method : methods) {
                        if (seen.add(method + " " + pattern + " " + consumes)) {
                            out.add(new String[] {method, pattern, consumes});
                        }
                    }
                }
            }
        }
        return out;
    }

    private HttpJson.Response call(Http as, String[] endpoint) {
        String path = endpoint[1]
                .replace("/v2/models/{name}", "/v2/models/" + deployment)
                .replace("/models/{name}/versions/{version}", "/models/" + model + "/versions/1")
                .replace("/models/{name}", "/models/" + model)
                .replace("/entities/{name}", "/entities/" + entity)
                .replace("/feature-views/{name}", "/feature-views/" + view)
                .replace("/deployments/{name}", "/deployments/" + deployment)
                .replace("{idOrName}", trainingSet)
                .replace("{experimentId}", experiment)
                .replace("{runId}", run)
                .replace("{revision}", "1")
                .replace("{version}", "1")
                .replace("/permissions/{kind}/{id}/users/{username}", "/permissions/experiments/" + experiment
                        + "/users/" + ADMIN)
                .replace("/tokens/{id}", "/tokens/" + adminToken)
                .replace("/**", "/" + experiment + "/" + run + "/artifacts/deny.txt")
                .replaceAll("\\{[^}]+}", "x");
        String query = "?experiment_id=" + experiment + "&run_id=" + run + "&name=" + model + "&version=1"
                + "&alias=champion&username=" + ADMIN + "&experiment_name=deny-exp-" + s + "&path=" + experiment
                + "&metric_key=m&key=k&features=" + view + ":f";
        String body;
        String type = endpoint[2];
        if (type.startsWith("text/csv")) {
            body = "deny_id,event_timestamp\n1,2020-01-01T00:00:00Z\n";
        } else if (endpoint[1].equals("/api/v1/feature-views/{name}")) {
            // Bodies that validate, so a refusal cannot be a validation error in disguise.
            body = "{\"entities\": [\"" + entity + "\"], \"features\": [{\"name\": \"g\", \"type\": \"FLOAT64\"}]}";
        } else if (endpoint[1].equals("/api/v1/training-sets")) {
            body = "{\"features\": [\"" + view + ":f\"], \"entity_rows\": [{\"deny_id\": 1, "
                    + "\"event_timestamp\": \"2020-01-01T00:00:00Z\"}]}";
        } else {
            body = kitchenSink();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + query));
        if (endpoint[0].equals("GET")) {
            request.GET();
        } else {
            request.method(endpoint[0], HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", type);
        }
        return as.send(request);
    }

    /** One body with every field an endpoint might take its resource from, all naming the admin's resources. */
    private String kitchenSink() {
        return """
                {"experiment_id": "%1$s", "run_id": "%2$s", "name": "%3$s", "version": "1", "alias": "champion",
                 "key": "k", "value": "1", "join_key": "deny_id", "value_type": "INT64", "username": "%4$s", "password": "another-long-password",
                 "permission": "READ", "is_admin": true, "new_name": "renamed-%5$s", "description": "d",
                 "source": "mlflow-artifacts:/%1$s/%2$s/artifacts/model", "stage": "Staging", "experiment_ids": ["%1$s"],
                 "feature_views": ["%6$s"], "start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z",
                 "start_ts": "2020-01-01T00:00:00Z", "end_ts": "2020-01-02T00:00:00Z",
                 "features": ["%6$s:f"], "entities": {"deny_id": [1]}, "push_source_name": "%6$s",
                 "df": {"deny_id": [1], "f": [1.0], "event_timestamp": ["2020-01-01T00:00:00Z"]},
                 "entity_rows": [{"deny_id": 1, "event_timestamp": "2020-01-01T00:00:00Z"}],
                 "model": "%3$s", "context": "training",
                 "inputs": [{"name": "input", "shape": [1, 1], "datatype": "FP32", "data": [0.5]}]}
                """.formatted(experiment, run, model, ADMIN, s, view);
    }

    private void createResources(Http admin) {
        experiment = ok(admin.post("/api/2.0/mlflow/experiments/create", "{\"name\": \"deny-exp-" + s + "\"}"))
                .json().get("experiment_id").asString();
        run = ok(admin.post("/api/2.0/mlflow/runs/create", "{\"experiment_id\": \"" + experiment + "\"}"))
                .json().at("/run/info/run_id").asString();
        ok(admin.send("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + experiment + "/" + run + "/artifacts/deny.txt",
                "secret", "text/plain"));
        ok(admin.send("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + experiment + "/" + run
                + "/artifacts/model/model.onnx", "not really a model", "application/octet-stream"));
        ok(admin.post("/api/2.0/mlflow/registered-models/create", "{\"name\": \"" + model + "\"}"));
        ok(admin.post("/api/2.0/mlflow/model-versions/create", "{\"name\": \"" + model + "\", \"source\": "
                + "\"mlflow-artifacts:/" + experiment + "/" + run + "/artifacts/model\", \"run_id\": \"" + run + "\"}"));
        ok(admin.post("/api/2.0/mlflow/registered-models/alias", "{\"name\": \"" + model
                + "\", \"alias\": \"champion\", \"version\": \"1\"}"));
        ok(admin.send("PUT", "/api/v1/entities/" + entity, "{\"join_key\": \"deny_id\", \"value_type\": \"INT64\"}",
                "application/json"));
        ok(admin.send("PUT", "/api/v1/feature-views/" + view, "{\"entities\": [\"" + entity + "\"], \"features\": "
                + "[{\"name\": \"f\", \"type\": \"FLOAT64\"}], \"online\": true}", "application/json"));
        ok(admin.send("POST", "/api/v1/feature-views/" + view + "/rows", "{\"rows\": [{\"deny_id\": 1, "
                + "\"event_timestamp\": \"2019-12-31T00:00:00Z\", \"f\": 0.5}]}", "application/json"));
        ok(admin.post("/api/v1/training-sets", "{\"features\": [\"" + view + ":f\"], \"entity_rows\": "
                + "[{\"deny_id\": 1, \"event_timestamp\": \"2020-01-01T00:00:00Z\"}], \"save_as\": \"" + trainingSet
                + "\"}"));
        HttpJson.Response deployed = admin.send("PUT", "/api/v1/deployments/" + deployment, "{\"model\": \"" + model
                + "\", \"alias\": \"champion\"}", "application/json");
        assertThat(deployed.status()).as(deployed.body()).isIn(200, 201);
        adminToken = ok(admin.post("/api/v1/tokens", "{\"name\": \"deny-" + s + "\"}")).json().get("id").asLong();
    }

    /** A user holding {@code level} explicitly on every resource the requests name. */
    private String user(Http admin, String name, Permission level) {
        ok(admin.post("/api/2.0/mlflow/users/create", "{\"username\": \"" + name + "\", \"password\": \"password-of-"
                + name + "\"}"));
        Map<String, String> resources = Map.of("experiments", experiment, "registered-models", model,
                "entities", entity, "feature-views", view, "deployments", deployment, "training-sets", trainingSet);
        resources.forEach((kind, id) -> ok(admin.send("PUT", "/api/v1/permissions/" + kind + "/" + id + "/users/"
                + name, "{\"permission\": \"" + level + "\"}", "application/json")));
        return name;
    }

    private static HttpJson.Response ok(HttpJson.Response response) {
        assertThat(response.status()).as(response.body()).isBetween(200, 299);
        return response;
    }

    /**
     * Rows per table, everywhere Cairn writes, but for what no request writes: the throttle's failure counts (counting
     * them is its job), and what background work writes on its own clock while this test runs — job locks, each
     * replica's flushes of request outcomes and drift sketches (of other tests' traffic), and the monitoring jobs'
     * windows, history, events and skew comparisons.
     */
    private Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : jdbc.sql("""
                SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables
                WHERE relname NOT IN ('login_throttle', 'shedlock', 'serving_outcomes', 'drift_sketches',
                                      'monitoring_windows', 'quality_history', 'drift_history', 'monitoring_events',
                                      'skew_results')
                ORDER BY 1""").query(String.class).list()) {
            counts.put(table, jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single());
        }
        counts.put("audit_log max id", jdbc.sql("SELECT coalesce(max(event_id), 0) FROM audit_log")
                .query(Long.class).single());
        return counts;
    }
}
