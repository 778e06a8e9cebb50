package io.cairn.artifacts.store;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Artifacts in an S3 bucket under a key prefix ({@code s3://bucket/prefix}). Store paths map to keys
 * {@code prefix/path}; directories are key prefixes ending in {@code /}, as MLflow's S3 repository lays them out.
 * Bodies stream in both directions: a known length goes out as one PutObject, an unknown one as a multipart upload
 * that holds a single part in memory at a time.
 */
public class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    private static final int MAX_PARTS = 10_000;
    /** S3's maximum keys per ListObjectsV2 page and per DeleteObjects call. */
    private static final int S3_BATCH_LIMIT = 1000;
    private static final String OCTET_STREAM = "application/octet-stream";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;
    private final int batchSize;

    /**
     * @param s3       the client; this store closes it
     * @param rootUri  {@code s3://bucket} or {@code s3://bucket/prefix}
     * @param partSize bytes per part of unknown-length uploads, at least S3's 5 MiB minimum
     */
    public S3ArtifactStore(S3Client s3, String rootUri, int partSize) {
        this(s3, rootUri, partSize, S3_BATCH_LIMIT);
    }

    /** As above, with smaller list pages and delete batches, so tests reach pagination with a handful of keys. */
    S3ArtifactStore(S3Client s3, String rootUri, int partSize, int batchSize) {
        if (batchSize < 1 || batchSize > S3_BATCH_LIMIT) {
            throw new IllegalArgumentException("batch size must be 1.." + S3_BATCH_LIMIT + ", got " + batchSize);
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 part size must be at least 5 MiB, got " + partSize + " bytes");
        }
        URI uri = URI.create(rootUri);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("Not an S3 root: '" + rootUri + "'; expected s3://bucket[/prefix]");
        }
        this.s3 = s3;
        this.bucket = uri.getHost();
        this.prefix = trimSlashes(uri.getPath() == null ? "" : uri.getPath());
        this.partSize = partSize;
        this.batchSize = batchSize;
    }

    @Override
    public void write(String path, InputStream content, long length) {
        if (path.isEmpty()) {
            throw CairnException.invalid("Cannot write a file at the artifact root: give a file path.");
        }
        String key = key(path);
        if (length >= 0) {
            // The SDK streams the body; it can replay only its first 128 KiB on a retry, which is all a stream allows.
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(OCTET_STREAM).contentLength(length),
                    RequestBody.fromInputStream(content, length));
            return;
        }
        writeUnknownLength(key, content);
    }

    /** Multipart upload fed from one reused part buffer; a body that fits in one part becomes a plain PutObject. */
    private void writeUnknownLength(String key, InputStream content) {
        byte[] buffer = new byte[partSize];
        int filled = readFully(content, buffer);
        if (filled < partSize) {
            int size = filled;
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(OCTET_STREAM).contentLength((long) size),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, size), size,
                            OCTET_STREAM));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(OCTET_STREAM)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            while (filled > 0) {
                int partNumber = parts.size() + 1;
                if (partNumber > MAX_PARTS) {
                    throw CairnException.invalid("Upload of '" + key + "' exceeds " + MAX_PARTS + " parts of "
                            + partSize + " bytes; raise cairn.artifacts.s3.part-size or send a Content-Length.");
                }
                int size = filled;
                UploadPartResponse part = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) size)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, size), size,
                                OCTET_STREAM));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(part.eTag())
                        .checksumCRC32(part.checksumCRC32()).build());
                filled = readFully(content, buffer);
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private void abort(String key, String uploadId, RuntimeException cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            // The upload's parts stay until a bucket lifecycle rule removes them; the original failure matters more.
            cause.addSuppressed(e);
        }
    }

    @Override
    public Optional<ArtifactContent> open(String path) {
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key(path)));
            return Optional.of(new ArtifactContent(new AbortOnEarlyClose(in), in.response().contentLength()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<ArtifactFile> list(String directory) {
        String listed = directoryPrefix(directory);
        List<ArtifactFile> out = new ArrayList<>();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listed)
                .delimiter("/").maxKeys(batchSize))) {
            for (CommonPrefix sub : page.commonPrefixes()) {
                String dir = trimSlashes(storePath(sub.prefix()));
                if (!dir.isEmpty()) {
                    out.add(new ArtifactFile(dir, true, null));
                }
            }
            for (S3Object object : page.contents()) {
                // Zero-byte "folder" markers some tools create (key ending in '/') are not files.
                if (!object.key().endsWith("/")) {
                    out.add(new ArtifactFile(storePath(object.key()), false, object.size()));
                }
            }
        }
        out.sort(Comparator.comparing(ArtifactFile::path));
        return out;
    }

    @Override
    public boolean exists(String path) {
        if (!path.isEmpty() && isObject(key(path))) {
            return true;
        }
        String under = directoryPrefix(path);
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(under).maxKeys(1)).keyCount() > 0;
    }

    @Override
    public boolean delete(String path) {
        boolean deleted = false;
        if (!path.isEmpty() && isObject(key(path))) {
            s3.deleteObject(b -> b.bucket(bucket).key(key(path)));
            deleted = true;
        }
        String under = directoryPrefix(path);
        List<ObjectIdentifier> batch = new ArrayList<>(batchSize);
        // Deleting listed keys does not disturb the continuation token, which is key-based.
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(under).maxKeys(batchSize))
                .contents()) {
            batch.add(ObjectIdentifier.builder().key(object.key()).build());
            if (batch.size() == batchSize) {
                deleteBatch(batch);
                batch.clear();
                deleted = true;
            }
        }
        if (!batch.isEmpty()) {
            deleteBatch(batch);
            deleted = true;
        }
        return deleted;
    }

    @Override
    public void checkAvailable() {
        s3.headBucket(b -> b.bucket(bucket));
    }

    @Override
    public String uri(String path) {
        String key = key(path);
        return "s3://" + bucket + (key.isEmpty() ? "" : "/" + key);
    }

    @Override
    public void close() {
        s3.close();
    }

    private void deleteBatch(List<ObjectIdentifier> batch) {
        List<ObjectIdentifier> objects = List.copyOf(batch);
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket)
                .delete(d -> d.objects(objects).quiet(true)));
        if (response.hasErrors() && !response.errors().isEmpty()) {
            var first = response.errors().get(0);
            throw new IllegalStateException("S3 refused to delete " + response.errors().size() + " of "
                    + objects.size() + " objects, e.g. " + first.key() + ": " + first.code() + " " + first.message());
        }
    }

    private boolean isObject(String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String key(String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? prefix : prefix + "/" + path;
    }

    /** The key prefix that lists a directory's contents: its key plus '/', or the bare root prefix. */
    private String directoryPrefix(String path) {
        String key = key(path);
        return key.isEmpty() ? "" : key + "/";
    }

    private String storePath(String key) {
        return prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
    }

    private static int readFully(InputStream in, byte[] buffer) {
        try {
            return in.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the upload body failed", e);
        }
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Closing an S3 response stream normally drains the rest of the object to reuse the connection; a download the
     * client abandoned half-way should drop the connection instead of reading gigabytes nobody wants.
     */
    private static final class AbortOnEarlyClose extends FilterInputStream {

        private final ResponseInputStream<GetObjectResponse> response;
        private boolean eof;

        AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            eof |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            eof |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!eof) {
                response.abort();
            }
            super.close();
        }
    }
}
