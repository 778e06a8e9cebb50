package io.cairn.cli;

import java.util.List;

/** The problems found in definition files, each naming its file and line; nothing was sent to the server. */
final class InvalidDefinitions extends RuntimeException {

    private final List<String> problems;

    InvalidDefinitions(List<String> problems) {
        super(problems.size() + " problem(s) in the definitions: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
