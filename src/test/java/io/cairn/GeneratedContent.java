package io.cairn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Large test bodies made on the fly: a deterministic pseudo-random byte stream of a given length (xorshift64*, so
 * it does not compress and costs little CPU), and SHA-256 digests computed while bytes pass. Nothing here holds more
 * than one read buffer, so tests can send and check hundreds of megabytes.
 */
public final class GeneratedContent {

    private GeneratedContent() {
    }

    /** {@code length} bytes determined by {@code seed}; two streams with the same arguments are identical. */
    public static InputStream stream(long seed, long length) {
        return new InputStream() {
            private long state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
            private long remaining = length;
            private long word;
            private int wordBytes;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (remaining <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, remaining);
                for (int i = 0; i < n; i++) {
                    if (wordBytes == 0) {
                        state ^= state >>> 12;
                        state ^= state << 25;
                        state ^= state >>> 27;
                        word = state * 0x2545F4914F6CDD1DL;
                        wordBytes = 8;
                    }
                    b[off + i] = (byte) word;
                    word >>>= 8;
                    wordBytes--;
                }
                remaining -= n;
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, Math.max(0, remaining));
            }
        };
    }

    /** The SHA-256 of {@link #stream(long, long)} with these arguments, as hex. */
    public static String sha256(long seed, long length) {
        try (InputStream in = stream(seed, length)) {
            return drain(in).sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@link #drain(InputStream)} saw: how many bytes, and their SHA-256 as hex. */
    public record Drained(long bytes, String sha256) {
    }

    /** Reads the stream to its end through a 64 KiB buffer, counting and hashing; does not close it. */
    public static Drained drain(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return new Drained(total, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
