package io.cairn.artifacts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.GeneratedContent;
import io.cairn.GeneratedContent.Drained;
import io.cairn.TestS3Proxy;
import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 store against a real S3 server (the in-JVM S3Proxy): multipart uploads of unknown length, paged listings,
 * batched recursive deletes. Each test works under its own key prefix.
 */
class S3ArtifactStoreIT {

    private static final int PART = S3ArtifactStore.MIN_PART_SIZE;

    /** Counts the S3 operations the store sends, by name (ListObjectsV2, DeleteObjects, ...). */
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    S3Client client;
    S3ArtifactStore store;
    String prefix;

    @BeforeEach
    void setUp() {
        TestS3Proxy s3 = TestS3Proxy.get();
        client = s3.newClient(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            }
        });
        prefix = "store-it/" + UUID.randomUUID();
        // Pages and delete batches of 3 keys, so a handful of objects spans several requests.
        store = new S3ArtifactStore(client, "s3://" + TestS3Proxy.BUCKET + "/" + prefix, PART, 3);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void anUnknownLengthUploadSpanningSeveralPartsIsStoredWhole() throws IOException {
        long size = 2L * PART + 12_345; // three parts, the last one short
        store.write("big/model.bin", GeneratedContent.stream(7, size), -1);

        ArtifactContent content = store.open("big/model.bin").orElseThrow();
        assertThat(content.size()).isEqualTo(size);
        try (InputStream in = content.stream()) {
            assertThat(GeneratedContent.drain(in)).isEqualTo(new Drained(size, GeneratedContent.sha256(7, size)));
        }
        // S3 reports a multipart object's ETag as "<md5 of part md5s>-<part count>".
        assertThat(client.headObject(b -> b.bucket(TestS3Proxy.BUCKET).key(prefix + "/big/model.bin")).eTag())
                .endsWith("-3\"");
        assertThat(openUploads()).isZero();
    }

    @Test
    void anUnknownLengthUploadOfExactlyOnePartAndOfLessAreStored() throws IOException {
        store.write("exact.bin", GeneratedContent.stream(1, PART), -1);
        store.write("small.txt", new ByteArrayInputStream("tiny".getBytes(StandardCharsets.UTF_8)), -1);
        store.write("empty.txt", InputStream.nullInputStream(), -1);
        assertThat(readDrained("exact.bin")).isEqualTo(new Drained(PART, GeneratedContent.sha256(1, PART)));
        assertThat(readString("small.txt")).isEqualTo("tiny");
        assertThat(store.open("empty.txt").orElseThrow().size()).isZero();
    }

    @Test
    void aKnownLengthUploadStreamsIntoOneObject() throws IOException {
        long size = PART + 1;
        store.write("known.bin", GeneratedContent.stream(3, size), size);
        assertThat(readDrained("known.bin")).isEqualTo(new Drained(size, GeneratedContent.sha256(3, size)));
        assertThat(client.headObject(b -> b.bucket(TestS3Proxy.BUCKET).key(prefix + "/known.bin")).eTag())
                .doesNotContain("-");
    }

    @Test
    void aFailedMultipartUploadIsAbortedAndLeavesNoObject() {
        InputStream failing = new SequenceInputStream(GeneratedContent.stream(5, PART + 100), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("client went away");
            }
        });
        assertThatThrownBy(() -> store.write("broken.bin", failing, -1)).hasRootCauseMessage("client went away");
        assertThat(store.open("broken.bin")).isEmpty();
        assertThat(openUploads()).isZero();
    }

    @Test
    void writingAgainReplacesTheObject() throws IOException {
        write("a.txt", "first, longer");
        write("a.txt", "second");
        assertThat(readString("a.txt")).isEqualTo("second");
    }

    @Test
    void listingPagesThroughDirectChildrenWithFullStorePaths() {
        for (int i = 0; i < 5; i++) {
            write("d/f" + i + ".txt", "x".repeat(i));
        }
        write("d/sub1/deep/a.txt", "a");
        write("d/sub2/b.txt", "b");
        write("d2/c.txt", "c"); // shares the prefix "d" but is not inside "d/"

        calls.clear();
        assertThat(store.list("d")).containsExactly(
                new ArtifactFile("d/f0.txt", false, 0L),
                new ArtifactFile("d/f1.txt", false, 1L),
                new ArtifactFile("d/f2.txt", false, 2L),
                new ArtifactFile("d/f3.txt", false, 3L),
                new ArtifactFile("d/f4.txt", false, 4L),
                new ArtifactFile("d/sub1", true, null),
                new ArtifactFile("d/sub2", true, null));
        assertThat(calls.get("ListObjectsV2")).as("7 entries in pages of 3").hasValue(3);
        assertThat(store.list("")).containsExactly(
                new ArtifactFile("d", true, null),
                new ArtifactFile("d2", true, null));
        assertThat(store.list("missing")).isEmpty();
        assertThat(store.list("d/f1.txt")).isEmpty();
    }

    @Test
    void existsForObjectsAndForPrefixesHoldingObjects() {
        write("d/sub/a.txt", "a");
        assertThat(store.exists("d/sub/a.txt")).isTrue();
        assertThat(store.exists("d")).isTrue();
        assertThat(store.exists("d/su")).isFalse();
        assertThat(store.exists("missing")).isFalse();
        assertThat(store.exists("")).isTrue();
    }

    @Test
    void openingAMissingKeyOrADirectoryGivesNothing() {
        write("d/a.txt", "a");
        assertThat(store.open("d")).isEmpty();
        assertThat(store.open("d/missing")).isEmpty();
    }

    @Test
    void deletingADirectoryRemovesEveryKeyBelowItInBatches() {
        for (int i = 0; i < 7; i++) {
            write("d/" + (i % 2 == 0 ? "even/" : "odd/") + i + ".txt", "x");
        }
        write("d.txt", "sibling file");
        write("d2/keep.txt", "sibling directory");

        calls.clear();
        assertThat(store.delete("d")).isTrue();
        assertThat(calls.get("DeleteObjects")).as("7 keys in batches of 3").hasValue(3);
        assertThat(store.exists("d")).isFalse();
        assertThat(store.list("")).extracting(ArtifactFile::path).containsExactly("d.txt", "d2");
        assertThat(store.delete("d")).isFalse();
    }

    @Test
    void deletingAFileLeavesItsSiblings() {
        write("d/a.txt", "a");
        write("d/b.txt", "b");
        assertThat(store.delete("d/a.txt")).isTrue();
        assertThat(store.list("d")).extracting(ArtifactFile::path).containsExactly("d/b.txt");
    }

    @Test
    void anAbandonedDownloadReleasesTheConnectionWithoutReadingTheRest() throws IOException {
        long size = 4L * PART;
        store.write("large.bin", GeneratedContent.stream(9, size), size);
        for (int i = 0; i < 3; i++) {
            try (InputStream in = store.open("large.bin").orElseThrow().stream()) {
                assertThat(in.readNBytes(10)).hasSize(10);
            }
        }
        assertThat(readString("large.bin").length()).isPositive();
    }

    @Test
    void uriNamesBucketAndKey() {
        assertThat(store.uri("1/a.txt")).isEqualTo("s3://" + TestS3Proxy.BUCKET + "/" + prefix + "/1/a.txt");
        assertThat(store.uri("")).isEqualTo("s3://" + TestS3Proxy.BUCKET + "/" + prefix);
    }

    @Test
    void aBucketRootWithoutPrefixUsesKeysAsPaths() {
        S3ArtifactStore bare = new S3ArtifactStore(TestS3Proxy.get().newClient(), "s3://" + TestS3Proxy.BUCKET, PART);
        try {
            String path = prefix + "/bare.txt";
            bare.write(path, new ByteArrayInputStream(new byte[] {1, 2}), 2);
            assertThat(store.open("bare.txt").orElseThrow().size()).isEqualTo(2);
            assertThat(bare.uri(path)).isEqualTo("s3://" + TestS3Proxy.BUCKET + "/" + path);
        } finally {
            bare.close();
        }
    }

    @Test
    void availabilityIsTheBucketAnswering() {
        store.checkAvailable();
        S3ArtifactStore missing = new S3ArtifactStore(TestS3Proxy.get().newClient(), "s3://no-such-bucket-" + UUID.randomUUID(), PART);
        try {
            assertThatThrownBy(missing::checkAvailable).isInstanceOf(software.amazon.awssdk.core.exception.SdkException.class);
        } finally {
            missing.close();
        }
    }

    @Test
    void rootsThatAreNotS3UrisOrPartsBelowTheMinimumAreRefused() {
        assertThatThrownBy(() -> new S3ArtifactStore(client, "file:/tmp/x", PART))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new S3ArtifactStore(client, "s3:///nobucket", PART))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new S3ArtifactStore(client, "s3://b/p", PART - 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private int openUploads() {
        return client.listMultipartUploads(b -> b.bucket(TestS3Proxy.BUCKET).prefix(prefix + "/")).uploads().size();
    }

    private void write(String path, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        store.write(path, new ByteArrayInputStream(data), data.length);
    }

    private String readString(String path) {
        try (InputStream in = store.open(path).orElseThrow().stream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Drained readDrained(String path) throws IOException {
        try (InputStream in = store.open(path).orElseThrow().stream()) {
            return GeneratedContent.drain(in);
        }
    }

}
