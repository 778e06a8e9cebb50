package io.cairn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The one configuration every integration test uses, so they all share a single application context: the full
 * server on a random port against the local PostgreSQL (database cairn_test) and Redis, with artifacts in S3 — the
 * in-JVM {@link TestS3Proxy}, bucket {@code cairn-test}, prefix {@code artifacts}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@Import({StatementCounter.class, io.cairn.registry.RegistryEventRecorder.class})
@ContextConfiguration(initializers = S3ProxyInitializer.class)
public @interface IntegrationTest {
}
