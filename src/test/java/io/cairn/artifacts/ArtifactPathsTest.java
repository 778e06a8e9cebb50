package io.cairn.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactPathsTest {

    @Test
    void emptyAndNullMeanTheRoot() {
        assertThat(ArtifactPaths.normalize(null)).isEmpty();
        assertThat(ArtifactPaths.normalize("")).isEmpty();
        assertThat(ArtifactPaths.normalize("./")).isEmpty();
    }

    @Test
    void redundantSlashesAndDotSegmentsAreDropped() {
        assertThat(ArtifactPaths.normalize("a//b/./c/")).isEqualTo("a/b/c");
        assertThat(ArtifactPaths.normalize("./model/model.onnx")).isEqualTo("model/model.onnx");
    }

    @Test
    void percentEncodingIsDecodedAndPlusStaysAPlus() {
        assertThat(ArtifactPaths.normalize("my%20model/v1+final.bin")).isEqualTo("my model/v1+final.bin");
        assertThat(ArtifactPaths.normalize("caf%C3%A9.txt")).isEqualTo("café.txt");
    }

    @Test
    void backslashesCountAsSeparators() {
        assertThat(ArtifactPaths.normalize("a\\b")).isEqualTo("a/b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/../b", "a/b/..", "%2e%2e/x", "%2E%2E/x", ".%2e/x", "a/%2e%2e/%2e%2e/x",
            "%252e%252e/x", "%25252e%25252e/x", "..%2fx", "..%2Fx", "%2e%2e%2fx", "..\\x", "a\\..\\..\\x", "..%5cx",
            "/etc/passwd", "%2Fetc/passwd", "%252Fetc/passwd", "\\\\server\\share", "C:/Windows", "c:x", "a%00b",
            "a\u0000b", "%zz", "a/%2"})
    void traversalAbsoluteAndMalformedPathsAreRejectedAsInvalidParameters(String raw) {
        assertThatThrownBy(() -> ArtifactPaths.normalize(raw))
                .isInstanceOfSatisfying(CairnException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void dotsInsideNamesAreNotTraversal() {
        assertThat(ArtifactPaths.normalize("a..b/...")).isEqualTo("a..b/...");
        assertThat(ArtifactPaths.normalize(".hidden/..;")).isEqualTo(".hidden/..;");
    }

    @Test
    void joinSkipsEmptyParts() {
        assertThat(ArtifactPaths.join("1/abc/artifacts", "", "model")).isEqualTo("1/abc/artifacts/model");
        assertThat(ArtifactPaths.join("", "model")).isEqualTo("model");
        assertThat(ArtifactPaths.join("", null)).isEmpty();
    }
}
