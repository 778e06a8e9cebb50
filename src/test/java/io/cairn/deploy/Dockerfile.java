package io.cairn.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The repository's Dockerfile read into stages and instructions (continuation lines joined, comments dropped), so
 * tests can check what Docker would do with it where no Docker engine runs.
 */
record Dockerfile(List<Instruction> preamble, List<Stage> stages) {

    /** One instruction: the keyword in upper case and the rest of the (joined) line. */
    record Instruction(String keyword, String arguments) {
    }

    /** A build stage: its base image, its name ({@code AS ...}, may be null) and its instructions after FROM. */
    record Stage(String from, String name, List<Instruction> instructions) {

        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        Optional<String> last(String keyword) {
            List<String> all = arguments(keyword);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        }
    }

    static Dockerfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> preamble = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        List<String> logical = new ArrayList<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            logical.add(current.toString().strip());
            current.setLength(0);
        }
        for (String line : logical) {
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : line.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                String[] parts = arguments.split("\\s+");
                String name = parts.length >= 3 && parts[parts.length - 2].equalsIgnoreCase("AS")
                        ? parts[parts.length - 1] : null;
                String image = parts[0].startsWith("--") ? parts[1] : parts[0];
                stages.add(new Stage(image, name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                preamble.add(new Instruction(keyword, arguments));
            } else {
                stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, arguments));
            }
        }
        return new Dockerfile(preamble, stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }
}
