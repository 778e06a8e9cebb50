package io.cairn.artifacts.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The {@code artifacts} health component follows the store: up while its directory is there, down with why. */
class ArtifactStoreHealthIndicatorTest {

    @TempDir
    Path root;

    @Test
    void upWhileTheDirectoryIsThereAndDownNamingItOnceItIsGone() throws IOException {
        Path dir = root.resolve("artifacts");
        LocalArtifactStore store = new LocalArtifactStore(dir);
        ArtifactStoreHealthIndicator indicator = new ArtifactStoreHealthIndicator(store);

        Health up = indicator.health();
        assertThat(up.getStatus()).isEqualTo(Status.UP);
        assertThat(up.getDetails().get("store").toString()).startsWith("file:/").contains(dir.getFileName().toString());

        Files.delete(dir);
        Health down = indicator.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("store")).isEqualTo(up.getDetails().get("store"));
        assertThat(down.getDetails().get("error").toString()).contains(dir.toString()).contains("missing or not writable");
    }
}
