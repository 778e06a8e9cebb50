package io.cairn.registry.card;

/** One stored revision of a version's card: revision 1 is the auto-filled card, each edit adds one. */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record CardRevision(String name, int version, int revision, long created_at, String author, ModelCard card) {
}
