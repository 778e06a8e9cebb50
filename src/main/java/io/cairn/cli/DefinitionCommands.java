package io.cairn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** {@code cairn plan DIR} and {@code cairn apply DIR}: definitions as code. */
final class DefinitionCommands {

    private DefinitionCommands() {
    }

    /** Options both commands take. */
    static class Target {
        @Parameters(index = "0", paramLabel = "DIR",
                description = "Directory of definition files (*.yaml, *.yml, searched recursively), or one file.")
        Path dir;

        @Option(names = "--prune", description = "Also delete the entities, feature views and deployments the server "
                + "has and DIR does not declare.")
        boolean prune;

        @Option(names = "--prune-prefix", paramLabel = "PREFIX", description = "With --prune, only delete objects "
                + "whose names start with PREFIX (for a server that other repositories define objects on too).")
        String prunePrefix;

        Plan plan(CairnServer server) {
            List<Declared> declared = DefinitionReader.read(dir);
            Map<Kind, List<JsonNode>> lists = new EnumMap<>(Kind.class);
            for (Kind kind : Kind.values()) {
                List<JsonNode> items = new ArrayList<>();
                server.get(kind.collection).path(kind.listField).forEach(items::add);
                lists.put(kind, items);
            }
            Plan.Prune prune = this.prune || prunePrefix != null ? new Plan.Prune(prunePrefix) : null;
            return Plan.compute(declared, Plan.ServerState.of(lists), prune, aliases(server));
        }
    }

    /** Asks the registry whether a model has an alias (the server refuses a deployment to one that does not). */
    static Plan.AliasCheck aliases(CairnServer server) {
        return (model, alias) -> {
            var r = server.exchange(server.request("/api/2.0/mlflow/registered-models/alias?name="
                    + CairnServer.query(model) + "&alias=" + CairnServer.query(alias)).GET());
            if (r.statusCode() == 200) {
                return Optional.empty();
            }
            if (r.statusCode() == 404) {
                return Optional.of("Registered model '" + model + "' has no alias '" + alias
                        + "' (or no such model); set it first (registered-models/alias).");
            }
            throw CairnServer.refused(r.statusCode(), r.body(), "the alias lookup of " + model + "@" + alias);
        };
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Shows what apply would change on the server, and changes nothing.",
                    "Per object: + create, ~ change (with the fields that change), = unchanged, ! refused (a breaking "
                            + "change the server would refuse, or one that cannot work), - delete (with --prune).",
                    "Exit code: 0, or 1 when something would be refused; with --detailed-exitcode 0 means no "
                            + "changes, 2 changes, 1 refused or failed."})
    static final class PlanCommand implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--detailed-exitcode", description = "Exit 2 when the plan changes something, 0 when not.")
        boolean detailedExitCode;

        @Override
        public Integer call() {
            Plan plan = target.plan(cli.server());
            plan.print(cli.out);
            if (plan.refused()) {
                return 1;
            }
            return detailedExitCode && plan.changesSomething() ? 2 : 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Makes the server hold what DIR declares: creates and changes entities, then feature "
                    + "views, then deployments; with --prune deletes undeclared ones (deployments first).",
                    "Nothing is changed when a file has a problem or any change would be refused. Applying twice "
                            + "changes nothing the second time."})
    static final class ApplyCommand implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() {
            CairnServer server = cli.server();
            Plan plan = target.plan(server);
            PrintWriter out = cli.out;
            if (plan.refused()) {
                plan.print(out);
                cli.err.println("cairn: the plan holds refused changes (marked !); nothing was changed.");
                return 1;
            }
            int created = 0;
            int changed = 0;
            int deleted = 0;
            int unchanged = 0;
            for (Plan.Step step : plan.steps()) {
                String what = step.kind().word + " " + step.name();
                switch (step.action()) {
                    case CREATE -> {
                        server.put(step.kind().path(step.name()), step.body());
                        out.println("+ created   " + what);
                        created++;
                    }
                    case CHANGE -> {
                        server.put(step.kind().path(step.name()), step.body());
                        out.println("~ changed   " + what);
                        step.changes().forEach(c -> out.println("      " + c));
                        changed++;
                    }
                    case DELETE -> {
                        server.delete(step.kind().path(step.name()));
                        out.println("- deleted   " + what);
                        deleted++;
                    }
                    case UNCHANGED -> unchanged++;
                    case REFUSED -> throw new IllegalStateException("refused steps are never applied");
                }
                out.flush();
            }
            out.printf("Apply complete: %d created, %d changed, %d deleted, %d unchanged.%n", created, changed,
                    deleted, unchanged);
            return 0;
        }
    }
}
