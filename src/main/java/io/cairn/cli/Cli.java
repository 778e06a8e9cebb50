package io.cairn.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} command line: {@link #isCommand} tells the jar's entry point whether its arguments are a command
 * (then {@link #main} runs it, without starting Spring) or the server's. Exit codes: 0 done, 1 refused or failed,
 * 2 a usage error.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Cairn from the command line: definitions as code and the feature store's long operations, "
                + "spoken to a Cairn server over its REST API.",
        subcommands = {HelpCommand.class, DefinitionCommands.PlanCommand.class, DefinitionCommands.ApplyCommand.class,
                FeatureCommands.Materialize.class, FeatureCommands.MaterializeIncremental.class,
                FeatureCommands.Ingest.class, FeatureCommands.TrainingSet.class, ServingCommands.Deploy.class,
                ServingCommands.Status.class},
        footer = {"", "Environment: CAIRN_URL (the server, default " + Cli.DEFAULT_URL + "), CAIRN_TOKEN (an API token "
                + "or OIDC JWT, sent as 'Authorization: Bearer').",
                "Exit codes: 0 done, 1 refused by the server or failed, 2 usage error."})
public final class Cli implements Callable<Integer> {

    static final String DEFAULT_URL = "http://localhost:5000";

    /** First arguments that mean the command line; anything else (or nothing) starts the server. */
    private static final Set<String> COMMANDS = Set.of("plan", "apply", "materialize", "materialize-incremental",
            "ingest", "training-set", "deploy", "status", "help", "--help", "-h", "--version", "-V", "--url");

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The Cairn server (default: $CAIRN_URL, else " + DEFAULT_URL + ").")
    String url;

    @Spec
    CommandSpec spec;

    final PrintWriter out;
    final PrintWriter err;
    final boolean terminal;
    private final Map<String, String> env;

    Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.terminal = terminal;
    }

    /** Whether {@code args} are a command-line invocation rather than the server's arguments. */
    public static boolean isCommand(String[] args) {
        return args.length > 0 && (COMMANDS.contains(args[0]) || args[0].startsWith("--url="));
    }

    /** Runs the command line in this process and exits with its code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = execute(args, out, err, System.getenv(), Progress.onTerminal());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command with the given output, environment ({@code CAIRN_URL}, {@code CAIRN_TOKEN}) and whether
     * progress may be drawn; answers the exit code.
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
                              boolean terminal) {
        CommandLine cmd = new CommandLine(new Cli(out, err, env, terminal));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidDefinitions invalid) {
                invalid.problems().forEach(p -> err.println(p));
                err.println("cairn: " + invalid.problems().size() + " problem(s) in the definitions; nothing was "
                        + "changed.");
            } else if (e instanceof CliFailure) {
                err.println("cairn: " + e.getMessage());
            } else {
                err.println("cairn: " + e);
            }
            err.flush();
            return 1;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return 2;
    }

    /** The server to talk to: {@code --url}, else {@code CAIRN_URL}, else {@value #DEFAULT_URL}. */
    CairnServer server() {
        String u = url != null && !url.isBlank() ? url : env.getOrDefault("CAIRN_URL", "");
        if (u.isBlank()) {
            u = DEFAULT_URL;
        }
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url must start with http:// or https://, "
                    + "not '" + u + "'");
        }
        return new CairnServer(u, env.get("CAIRN_TOKEN"));
    }

    /** The version of the jar (from its manifest, else Maven's pom.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            if (v == null) {
                try (InputStream in = Cli.class.getClassLoader()
                        .getResourceAsStream("META-INF/maven/io.cairn/cairn/pom.properties")) {
                    if (in != null) {
                        Properties p = new Properties();
                        p.load(in);
                        v = p.getProperty("version");
                    }
                } catch (java.io.IOException e) {
                    v = null;
                }
            }
            return new String[] {"cairn " + (v == null ? "(development build)" : v)};
        }
    }
}
