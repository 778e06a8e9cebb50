package io.cairn;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points the shared test context's artifact store at the per-JVM {@link TestS3Proxy}. */
public class S3ProxyInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestS3Proxy s3 = TestS3Proxy.get();
        TestPropertyValues.of(
                "cairn.artifacts.root=s3://" + TestS3Proxy.BUCKET + "/artifacts",
                "cairn.artifacts.s3.endpoint=" + s3.endpoint(),
                "cairn.artifacts.s3.path-style-access=true",
                "cairn.artifacts.s3.region=" + TestS3Proxy.REGION
        ).applyTo(context);
    }
}
