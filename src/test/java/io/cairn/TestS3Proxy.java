package io.cairn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy with its filesystem backend in a temporary directory, on 127.0.0.1 and a free
 * port, started once per JVM and stopped at exit. It checks AWS signatures, so clients must sign with
 * {@link #ACCESS_KEY}/{@link #SECRET_KEY}; starting it also publishes those as the AWS SDK's system properties
 * ({@code aws.accessKeyId}, {@code aws.secretAccessKey}, {@code aws.region}) so the server's default credential
 * chain finds them, as it would find a deployment's environment variables.
 */
public final class TestS3Proxy {

    public static final String BUCKET = "cairn-test";
    public static final String ACCESS_KEY = "cairn-test-access-key";
    public static final String SECRET_KEY = "cairn-test-secret-key";
    public static final String REGION = "us-east-1";

    private static TestS3Proxy instance;

    private final S3Proxy proxy;
    private final Path directory;
    private final URI endpoint;

    private TestS3Proxy() throws Exception {
        directory = Files.createTempDirectory("cairn-s3proxy-");
        BlobStore blobs = new FilesystemNio2BlobStore(directory.toString());
        blobs.createContainer(BUCKET);
        proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** The running instance, started on first use. */
    public static synchronized TestS3Proxy get() {
        if (instance == null) {
            try {
                instance = new TestS3Proxy();
            } catch (Exception e) {
                throw new IllegalStateException("S3Proxy did not start", e);
            }
            System.setProperty("aws.accessKeyId", ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", SECRET_KEY);
            System.setProperty("aws.region", REGION);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "s3proxy-stop"));
        }
        return instance;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A new client for this server (path-style, test credentials), seeing requests through the interceptors. */
    public S3Client newClient(ExecutionInterceptor... interceptors) {
        return S3Client.builder()
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    private void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            // JVM exit: nothing left to do about it, the directory below is removed either way.
        }
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
