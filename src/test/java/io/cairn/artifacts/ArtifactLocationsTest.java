package io.cairn.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.platform.error.CairnException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactLocationsTest {

    private final ArtifactLocations s3 = new ArtifactLocations(new ArtifactStoreProperties("s3://bucket/prefix", null));

    @Test
    void proxyUrisMapToTheirPathWhateverTheStore() {
        assertThat(s3.storePath("mlflow-artifacts:/1/abc/artifacts")).contains("1/abc/artifacts");
        assertThat(s3.storePath("mlflow-artifacts:1/abc/artifacts")).contains("1/abc/artifacts");
        assertThat(s3.storePath("mlflow-artifacts:/")).contains("");
    }

    @Test
    void theAuthorityOfAProxyUriNamesTheServerNotThePath() {
        assertThat(s3.storePath("mlflow-artifacts://tracking.example:5000/1/abc/artifacts")).contains("1/abc/artifacts");
        assertThat(s3.storePath("mlflow-artifacts://tracking.example:5000")).contains("");
    }

    @Test
    void proxyUrisThatClimbOutAreRejected() {
        assertThatThrownBy(() -> s3.storePath("mlflow-artifacts:/1/../../etc")).isInstanceOf(CairnException.class);
    }

    @Test
    void s3UrisUnderTheRootMapToTheirRelativePath() {
        assertThat(s3.storePath("s3://bucket/prefix/1/abc/artifacts")).contains("1/abc/artifacts");
        assertThat(s3.storePath("s3://bucket/prefix/")).contains("");
        assertThat(s3.storePath("s3://bucket/prefix")).contains("");
    }

    @Test
    void s3UrisOutsideTheRootMapToNothing() {
        assertThat(s3.storePath("s3://bucket/other/1")).isEmpty();
        assertThat(s3.storePath("s3://bucket/prefixed/1")).isEmpty();
        assertThat(s3.storePath("s3://elsewhere/prefix/1")).isEmpty();
        assertThat(s3.storePath("")).isEmpty();
        assertThat(s3.storePath(null)).isEmpty();
    }

    @Test
    void localUrisAndPlainPathsUnderTheRootMapToTheirRelativePath(@TempDir Path root) {
        ArtifactLocations local = new ArtifactLocations(new ArtifactStoreProperties(root.toString(), null));
        String fileUri = root.toUri().toString();
        assertThat(local.storePath(fileUri + "1/abc")).contains("1/abc");
        assertThat(local.storePath(fileUri.replaceFirst("^file:/+", "file:///") + "1/abc")).contains("1/abc");
        assertThat(local.storePath(root.resolve("2/x").toString())).contains("2/x");
        assertThat(local.storePath(root.toString())).contains("");
        assertThat(local.storePath(root.resolveSibling(root.getFileName() + "-other").resolve("1").toString())).isEmpty();
        assertThat(local.storePath(root.resolve("../elsewhere").toString())).isEmpty();
    }

    @Test
    void proxyUriIsTheMlflowArtifactsForm() {
        assertThat(s3.proxyUri("1/abc/artifacts")).isEqualTo("mlflow-artifacts:/1/abc/artifacts");
    }
}
