package io.cairn.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Token generation and digests: what is stored of a token is its SHA-256, never the token. */
final class Credentials {

    /** Every Cairn API token starts with this, so a Bearer value is told apart from a JWT without parsing it. */
    static final String TOKEN_PREFIX = "cairn_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Credentials() {
    }

    /** A new token: the prefix and 32 random bytes (256 bits) in URL-safe Base64. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String sha256Hex(String value) {
        return HexFormat.of().formatHex(sha256(value));
    }
}
