package io.cairn.artifacts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {

    @TempDir
    Path root;

    LocalArtifactStore store;

    @BeforeEach
    void setUp() {
        store = new LocalArtifactStore(root.resolve("artifacts"));
    }

    @Test
    void writtenFilesReadBackWithTheirSizeAndNestedDirectoriesAreCreated() throws IOException {
        write("1/run/artifacts/model/model.onnx", "weights");
        ArtifactContent content = store.open("1/run/artifacts/model/model.onnx").orElseThrow();
        try (InputStream in = content.stream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("weights");
        }
        assertThat(content.size()).isEqualTo(7);
        assertThat(store.root().resolve("1/run/artifacts/model/model.onnx")).hasContent("weights");
    }

    @Test
    void unknownLengthBodiesAreStoredToo() throws IOException {
        store.write("a.txt", bytes("streamed"), -1);
        assertThat(read("a.txt")).isEqualTo("streamed");
    }

    @Test
    void writingAgainReplacesTheFile() throws IOException {
        write("a.txt", "first version, longer");
        write("a.txt", "second");
        assertThat(read("a.txt")).isEqualTo("second");
        assertThat(store.open("a.txt").orElseThrow().size()).isEqualTo(6);
    }

    @Test
    void aTruncatedUploadKeepsThePreviousVersionAndLeavesNoTemporaryFile() throws IOException {
        write("a.txt", "good");
        assertThatThrownBy(() -> store.write("a.txt", bytes("par"), 10))
                .isInstanceOfSatisfying(CairnException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThat(read("a.txt")).isEqualTo("good");
        assertThat(filesUnderRoot()).containsExactly("a.txt");
    }

    @Test
    void anUploadWhoseStreamFailsKeepsThePreviousVersionAndLeavesNoTemporaryFile() throws IOException {
        write("a.txt", "good");
        InputStream failing = new SequenceInputStream(bytes("partial"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("client went away");
            }
        });
        assertThatThrownBy(() -> store.write("a.txt", failing, -1)).hasRootCauseMessage("client went away");
        assertThat(read("a.txt")).isEqualTo("good");
        assertThat(filesUnderRoot()).containsExactly("a.txt");
    }

    @Test
    void listingShowsDirectChildrenSortedWithFullStorePathsAndSizesForFilesOnly() {
        write("d/b.txt", "bb");
        write("d/a.txt", "a");
        write("d/sub/deep/c.txt", "ccc");
        write("other.txt", "x");
        assertThat(store.list("d")).containsExactly(
                new ArtifactFile("d/a.txt", false, 1L),
                new ArtifactFile("d/b.txt", false, 2L),
                new ArtifactFile("d/sub", true, null));
        assertThat(store.list("")).containsExactly(
                new ArtifactFile("d", true, null),
                new ArtifactFile("other.txt", false, 1L));
    }

    @Test
    void listingAMissingDirectoryOrAFileIsEmpty() {
        write("a.txt", "a");
        assertThat(store.list("nope")).isEmpty();
        assertThat(store.list("a.txt")).isEmpty();
    }

    @Test
    void uploadsInProgressAreInvisible() throws IOException {
        write("d/a.txt", "a");
        Files.writeString(store.root().resolve("d/" + LocalArtifactStore.TEMP_PREFIX + "123.tmp"), "half");
        Files.createDirectories(store.root().resolve("empty"));
        Files.writeString(store.root().resolve("empty/" + LocalArtifactStore.TEMP_PREFIX + "9.tmp"), "half");
        assertThat(store.list("d")).extracting(ArtifactFile::path).containsExactly("d/a.txt");
        assertThat(store.open("d/" + LocalArtifactStore.TEMP_PREFIX + "123.tmp")).isEmpty();
        assertThat(store.exists("empty")).isFalse();
    }

    @Test
    void existsForFilesAndForDirectoriesHoldingFiles() throws IOException {
        write("d/sub/a.txt", "a");
        Files.createDirectories(store.root().resolve("empty/dir"));
        assertThat(store.exists("d/sub/a.txt")).isTrue();
        assertThat(store.exists("d")).isTrue();
        assertThat(store.exists("empty")).isFalse();
        assertThat(store.exists("missing")).isFalse();
    }

    @Test
    void openingADirectoryOrAMissingFileGivesNothing() {
        write("d/a.txt", "a");
        assertThat(store.open("d")).isEmpty();
        assertThat(store.open("d/missing.txt")).isEmpty();
        assertThat(store.open("d/a.txt/below")).isEmpty();
    }

    @Test
    void deletingAFileRemovesItAndTheDirectoriesItLeavesEmpty() {
        write("1/run/artifacts/model/model.onnx", "w");
        write("1/keep.txt", "k");
        assertThat(store.delete("1/run/artifacts/model/model.onnx")).isTrue();
        assertThat(store.open("1/run/artifacts/model/model.onnx")).isEmpty();
        assertThat(Files.exists(store.root().resolve("1/run"))).isFalse();
        assertThat(store.list("1")).extracting(ArtifactFile::path).containsExactly("1/keep.txt");
    }

    @Test
    void deletingADirectoryRemovesEverythingBelowIt() {
        write("d/a.txt", "a");
        write("d/sub/b.txt", "b");
        write("d2/c.txt", "c");
        assertThat(store.delete("d")).isTrue();
        assertThat(store.exists("d")).isFalse();
        assertThat(store.list("")).extracting(ArtifactFile::path).containsExactly("d2");
    }

    @Test
    void deletingWhatIsNotThereReportsNothingDeleted() {
        assertThat(store.delete("missing")).isFalse();
    }

    @Test
    void deletingTheRootEmptiesItButKeepsIt() {
        write("a.txt", "a");
        write("d/b.txt", "b");
        assertThat(store.delete("")).isTrue();
        assertThat(store.list("")).isEmpty();
        assertThat(store.root()).isDirectory();
        write("again.txt", "ok");
        assertThat(store.exists("again.txt")).isTrue();
    }

    @Test
    void aFileCannotBecomeADirectoryNorADirectoryAFile() {
        write("a.txt", "a");
        write("d/b.txt", "b");
        assertThatThrownBy(() -> write("a.txt/below.txt", "x")).isInstanceOfSatisfying(CairnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThatThrownBy(() -> write("d", "x")).isInstanceOfSatisfying(CairnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThat(store.list("d")).extracting(ArtifactFile::path).containsExactly("d/b.txt");
    }

    @Test
    void pathsThatWouldLeaveTheRootAreRefusedEvenIfNotNormalized() {
        assertThatThrownBy(() -> store.open("../outside")).isInstanceOf(CairnException.class);
        assertThatThrownBy(() -> write("a/../../outside", "x")).isInstanceOf(CairnException.class);
        assertThat(Files.exists(root.resolve("outside"))).isFalse();
    }

    @Test
    void uriIsAFileUriUnderTheRoot() {
        assertThat(store.uri("1/a.txt")).isEqualTo(
                store.root().resolve("1/a.txt").toUri().toString().replaceFirst("^file:///", "file:/"));
    }

    private void write(String path, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        store.write(path, new ByteArrayInputStream(data), data.length);
    }

    private String read(String path) throws IOException {
        try (InputStream in = store.open(path).orElseThrow().stream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private java.util.List<String> filesUnderRoot() throws IOException {
        try (Stream<Path> all = Files.walk(store.root())) {
            return all.filter(Files::isRegularFile).map(p -> store.root().relativize(p).toString()).toList();
        }
    }
}
