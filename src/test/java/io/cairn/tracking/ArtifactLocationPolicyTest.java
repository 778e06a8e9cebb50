package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactStoreProperties;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactLocationPolicyTest {

    private static ArtifactLocationPolicy policy(String root, List<String> allowed) {
        ArtifactStoreProperties store = new ArtifactStoreProperties(root, null);
        return new ArtifactLocationPolicy(new ArtifactLocations(store), store,
                new TrackingProperties("mlflow-artifacts:/", allowed));
    }

    private final ArtifactLocationPolicy s3 = policy("s3://bucket/prefix", List.of("s3://shared/team-a/"));

    @Test
    void theProxyTheStoreAndTheAllowListAreAccepted() {
        for (String ok : List.of("mlflow-artifacts:/", "mlflow-artifacts:/custom/place", "mlflow-artifacts:custom",
                "s3://bucket/prefix", "s3://bucket/prefix/custom", "s3://shared/team-a", "s3://shared/team-a/x")) {
            assertThat(s3.check(ok)).isEqualTo(ok);
        }
    }

    @Test
    void everythingElseIsAnInvalidParameterSayingWhatIsAccepted() {
        for (String bad : List.of("http:///#/../../etc/", "http://169.254.169.254/latest/", "s3://other-bucket/x",
                "s3://bucket/prefix-other/x", "s3://bucket", "s3://shared/team-ab", "file:///etc", "/etc",
                "relative/dir", "mlflow-artifacts://elsewhere.example/x", "ftp://bucket/prefix/x")) {
            assertThatThrownBy(() -> s3.check(bad)).as(bad).isInstanceOfSatisfying(CairnException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(e.getMessage()).contains("artifact_location");
            });
        }
        assertThatThrownBy(() -> s3.check("s3://other/x")).hasMessageContaining("mlflow-artifacts:/<path>")
                .hasMessageContaining("s3://bucket/prefix").hasMessageContaining("s3://shared/team-a");
    }

    @Test
    void queriesFragmentsDotDotSegmentsAndNulAreRefusedEvenInsideTheStore() {
        for (String bad : List.of("s3://bucket/prefix/x?versionId=1", "s3://bucket/prefix/x#f",
                "mlflow-artifacts:/x#/../../etc", "s3://bucket/prefix/../other", "s3://bucket/prefix/%2e%2e/other",
                "s3://bucket/prefix/%252e%252e/other", "mlflow-artifacts:/a/..\\..\\b", "s3://shared/team-a/../team-b",
                "mlflow-artifacts:/x\u0000y")) {
            assertThatThrownBy(() -> s3.check(bad)).as(bad).isInstanceOf(CairnException.class);
        }
    }

    @Test
    void aLocalStoreAcceptsItsDirectoryAsPathOrFileUri(@TempDir Path root) {
        ArtifactLocationPolicy local = policy(root.toString(), List.of());
        assertThat(local.check(root.resolve("exp").toString())).isEqualTo(root.resolve("exp").toString());
        assertThat(local.check(root.resolve("exp").toUri().toString())).isEqualTo(root.resolve("exp").toUri().toString());
        assertThatThrownBy(() -> local.check(root.getParent().resolve("elsewhere").toString()))
                .isInstanceOf(CairnException.class);
        assertThatThrownBy(() -> local.check("s3://bucket/prefix/x")).isInstanceOf(CairnException.class);
    }
}
