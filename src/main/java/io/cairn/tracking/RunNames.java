package io.cairn.tracking;

import java.util.concurrent.ThreadLocalRandom;

/** MLflow-style generated run names: {@code <adjective>-<noun>-<0..999>}. */
final class RunNames {

    private static final String[] ADJECTIVES = {"amazing", "bold", "brave", "calm", "clever", "crisp", "dapper",
            "eager", "fast", "gentle", "glad", "grand", "happy", "keen", "kind", "lively", "lucky", "merry", "neat",
            "nimble", "polite", "proud", "quick", "quiet", "shy", "sleek", "smooth", "sunny", "swift", "witty"};
    private static final String[] NOUNS = {"ant", "bass", "bat", "bear", "bee", "cat", "crow", "deer", "doe", "duck",
            "eel", "elk", "fish", "fox", "frog", "goat", "hare", "hawk", "lamb", "lark", "mole", "moth", "newt",
            "owl", "ox", "ram", "seal", "slug", "swan", "toad", "wasp", "wolf", "wren", "yak"};

    private RunNames() {
    }

    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "-" + NOUNS[random.nextInt(NOUNS.length)] + "-"
                + random.nextInt(1000);
    }
}
