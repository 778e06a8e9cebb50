package io.cairn.cli;

import tools.jackson.databind.node.ObjectNode;

/** One object of a definitions directory: its kind, name, where it was declared and its REST body (a PUT's). */
record Declared(Kind kind, String name, Source source, ObjectNode body) {
}
