package io.cairn.cli;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Serving from the command line: define a deployment, and what every deployment serves now. */
final class ServingCommands {

    /** How long status waits for all drift answers together: drift is a nice-to-have beside the table. */
    private static final Duration DRIFT_WAIT = Duration.ofSeconds(10);

    private ServingCommands() {
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = {"Creates or replaces a deployment (PUT /api/v1/deployments/NAME) and shows what it serves "
                    + "once the server has tried to load it.",
                    "A replacement is whole: options left out go back to their defaults (no canary, device auto, "
                            + "no batching). Exit code 1 when a version could not be loaded."})
    static final class Deploy implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "The deployment (its name in /v2/models/NAME).")
        String name;

        @Option(names = "--model", required = true, paramLabel = "MODEL", description = "The registered model.")
        String model;

        @Option(names = "--alias", required = true, paramLabel = "ALIAS", description = "The alias whose version serves.")
        String alias;

        @Option(names = "--canary-alias", paramLabel = "ALIAS", description = "A second alias to send a share to.")
        String canaryAlias;

        @Option(names = "--canary-percent", paramLabel = "N", description = "The canary's share of requests, 0-100.")
        Integer canaryPercent;

        @Option(names = "--guard-metric", paramLabel = "METRIC", description = "Pull the canary back when this "
                + "metric is worse than the champion's: error_rate, p99_latency_ms or a quality metric.")
        String guardMetric;

        @Option(names = "--guard-max-degradation", paramLabel = "X", description = "How much worse it may be.")
        Double guardMaxDegradation;

        @Option(names = "--guard-min-samples", paramLabel = "N", description = "Samples before the guard judges.")
        Integer guardMinSamples;

        @Option(names = "--device", paramLabel = "DEVICE", description = "auto (default), cpu or cuda.")
        String device;

        @Option(names = "--max-batch-size", paramLabel = "N", description = "Dynamic batching up to N rows.")
        Integer maxBatchSize;

        @Option(names = "--max-queue-delay-ms", paramLabel = "MS", description = "How long a batch may wait.")
        Integer maxQueueDelayMs;

        @Option(names = "--stale-features", paramLabel = "POLICY", description = "reject (default) or accept.")
        String staleFeatures;

        @Override
        public Integer call() {
            if ((canaryAlias == null) != (canaryPercent == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--canary-alias and --canary-percent go together");
            }
            boolean guard = guardMetric != null || guardMaxDegradation != null || guardMinSamples != null;
            if (guard && canaryAlias == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a guard needs a canary "
                        + "(--canary-alias and --canary-percent)");
            }
            ObjectNode body = CairnServer.JSON.createObjectNode().put("model", model).put("alias", alias);
            if (canaryAlias != null) {
                ObjectNode canary = body.putObject("canary").put("alias", canaryAlias).put("percent", canaryPercent);
                if (guard) {
                    ObjectNode g = canary.putObject("guard");
                    if (guardMetric != null) {
                        g.put("metric", guardMetric);
                    }
                    if (guardMaxDegradation != null) {
                        g.put("max_degradation", guardMaxDegradation);
                    }
                    if (guardMinSamples != null) {
                        g.put("min_samples", guardMinSamples);
                    }
                }
            }
            if (device != null) {
                body.put("device", device);
            }
            if (maxBatchSize != null) {
                body.put("max_batch_size", maxBatchSize);
            }
            if (maxQueueDelayMs != null) {
                body.put("max_queue_delay_ms", maxQueueDelayMs);
            }
            if (staleFeatures != null) {
                body.put("stale_features", staleFeatures);
            }
            CairnServer server = cli.server();
            String path = Kind.DEPLOYMENT.path(name);
            HttpResponse<byte[]> response = server.send(server.request(path).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(CairnServer.JSON.writeValueAsBytes(body))),
                    "PUT " + path);
            JsonNode d = CairnServer.json(response);
            cli.out.printf("Deployment %s %s (revision %s).%n", name, response.statusCode() == 201 ? "created"
                    : "updated", d.path("revision").asString("?"));
            boolean failed = false;
            for (JsonNode a : d.path("state").path("aliases")) {
                cli.out.printf("  %s %s@%s: version %s, loaded %s, %s%n", a.path("role").asString(), model,
                        a.path("alias").asString(), a.path("target_version").asString("-"),
                        a.path("loaded_version").asString("-"), a.path("ready").asBoolean() ? "ready"
                                : a.path("loading").asBoolean() ? "loading" : "not ready");
                String error = a.path("error").asString("");
                if (!error.isEmpty()) {
                    cli.out.println("    error: " + error);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Every deployment: each alias's target version and the version loaded on the replica that "
                    + "answers, whether it is ready, and its drift over the last 24 hours when monitoring has it.")
    static final class Status implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @Option(names = "--no-drift", description = "Do not ask for drift (one request per deployment).")
        boolean noDrift;

        @Override
        public Integer call() {
            CairnServer server = cli.server();
            List<JsonNode> deployments = new ArrayList<>();
            server.get(Kind.DEPLOYMENT.collection).path("deployments").forEach(deployments::add);
            if (deployments.isEmpty()) {
                cli.out.println("No deployments.");
                return 0;
            }
            Map<String, CompletableFuture<HttpResponse<byte[]>>> drift = new LinkedHashMap<>();
            if (!noDrift) {
                for (JsonNode d : deployments) {
                    String name = d.path("name").asString();
                    drift.put(name, server.async(server.request(Kind.DEPLOYMENT.path(name) + "/drift")
                            .header("Accept", "application/json").timeout(DRIFT_WAIT).GET().build()));
                }
            }
            long deadline = System.nanoTime() + DRIFT_WAIT.toNanos();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"DEPLOYMENT", "MODEL", "ROLE", "ALIAS", "TARGET", "LOADED", "READY", "DRIFT"});
            List<String> errors = new ArrayList<>();
            for (JsonNode d : deployments) {
                String name = d.path("name").asString();
                String driftText = noDrift ? "-" : driftText(drift.get(name), deadline);
                boolean first = true;
                for (JsonNode a : d.path("state").path("aliases")) {
                    String role = a.path("role").asString();
                    if (role.equals("canary") && d.path("canary").has("percent")) {
                        role = "canary " + d.path("canary").path("percent").asString() + "%";
                    }
                    rows.add(new String[] {first ? name : "", first ? d.path("model").asString() : "", role,
                            a.path("alias").asString(), a.path("target_version").asString("-"),
                            a.path("loaded_version").asString("-"), a.path("ready").asBoolean() ? "yes"
                                    : a.path("loading").asBoolean() ? "loading" : "no", first ? driftText : ""});
                    String error = a.path("error").asString("");
                    if (!error.isEmpty()) {
                        errors.add(name + " " + a.path("role").asString() + ": " + error);
                    }
                    first = false;
                }
            }
            Table.print(cli.out, rows);
            errors.forEach(e -> cli.out.println("error: " + e));
            return 0;
        }

        /** Drift in a word and the share drifted; what the server says otherwise, never a failure of status. */
        private static String driftText(CompletableFuture<HttpResponse<byte[]>> future, long deadline) {
            try {
                HttpResponse<byte[]> r = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r.statusCode() == 404) {
                    return "no predictions";
                }
                if (r.statusCode() == 409) {
                    return "no reference";
                }
                if (r.statusCode() != 200) {
                    return "unavailable (" + r.statusCode() + ")";
                }
                JsonNode json = CairnServer.JSON.readTree(r.body());
                String share = String.format(Locale.ROOT, "%.2f", json.path("share_drifted").asDouble());
                return (json.path("dataset_drifted").asBoolean() ? "drifted" : "ok") + " (share " + share + ")";
            } catch (TimeoutException e) {
                future.cancel(true);
                return "unavailable (timed out)";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unavailable";
            } catch (java.util.concurrent.ExecutionException | JacksonException e) {
                return "unavailable";
            }
        }
    }
}
