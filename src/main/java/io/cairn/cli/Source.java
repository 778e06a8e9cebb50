package io.cairn.cli;

import java.nio.file.Path;

/** Where something was declared: a file and a 1-based line, shown as {@code file:line}. */
record Source(Path file, int line) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
