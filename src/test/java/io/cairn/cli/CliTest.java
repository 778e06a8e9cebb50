package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command line does before it needs a server: which arguments are its, usage errors, file problems. */
class CliTest {

    // Nothing listens on port 1, so a command that reaches for the server fails at once.
    private static final Map<String, String> NO_SERVER = Map.of("CAIRN_URL", "http://127.0.0.1:1");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run cairn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, new PrintWriter(out), new PrintWriter(err), NO_SERVER, false);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theJarRunsTheCommandLineOnlyForItsCommands() {
        assertThat(Cli.isCommand(new String[] {"apply", "defs"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"--version"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"--url=http://x", "status"})).isTrue();
        assertThat(Cli.isCommand(new String[0])).isFalse();
        assertThat(Cli.isCommand(new String[] {"--spring.profiles.active=prod"})).isFalse();
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        Run unknown = cairn("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument at index 0: 'frobnicate'");

        Run canary = cairn("deploy", "eta", "--model", "eta", "--alias", "a", "--canary-alias", "b");
        assertThat(canary.code()).isEqualTo(2);
        assertThat(canary.err()).contains("--canary-alias and --canary-percent go together");

        Run end = cairn("materialize-incremental", "tomorrow");
        assertThat(end.code()).isEqualTo(2);
        assertThat(end.err()).contains("not 'tomorrow'");

        Run help = cairn("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("plan", "apply", "materialize-incremental", "training-set", "CAIRN_TOKEN");
    }

    @Test
    void anUnreachableServerIsOneLineNamingTheUrlFromTheEnvironment() {
        Run status = cairn("status");
        assertThat(status.code()).isEqualTo(1);
        assertThat(status.err()).isEqualTo("cairn: Cannot reach the Cairn server at http://127.0.0.1:1: connection "
                + "refused. Is it running? Point --url or CAIRN_URL at it." + System.lineSeparator());
    }

    @Test
    void definitionProblemsAreReportedBeforeTheServerIsAsked() throws IOException {
        Path file = Files.writeString(dir.resolve("v.yaml"), "kind: feature_view\nname: v\nentities: [e]\n");
        Run plan = cairn("plan", dir.toString());
        assertThat(plan.code()).isEqualTo(1);
        assertThat(plan.err()).contains(file + ":1: missing field 'features'")
                .contains("1 problem(s) in the definitions; nothing was changed.")
                .doesNotContain("Cannot reach");
    }
}
