package io.cairn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The configuration of the security tests: the whole server as Helm and compose deploy it, with security on. One
 * second shared context (every security test uses exactly this one), on a database of its own ({@code
 * cairn_test_secure}, created on first start) so its background work never sees the main context's deployments. The
 * first admin comes from the properties below, OIDC from {@link TestJwks}' JWK set, and failed sign-ins are throttled
 * only far above what the tests send (the throttle has a test of its own with small limits).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "cairn.security.enabled=true",
        "spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cairn_test_secure?reWriteBatchedInserts=true",
        "cairn.security.admin.username=" + SecureIntegrationTest.ADMIN,
        "cairn.security.admin.password=" + SecureIntegrationTest.ADMIN_PASSWORD,
        "cairn.security.metrics-token=" + SecureIntegrationTest.METRICS_TOKEN,
        "cairn.security.trusted-proxies=127.0.0.2/32",
        "cairn.security.throttle.failures-per-user=100000",
        "cairn.security.throttle.failures-per-address=100000",
        "cairn.security.oidc.username-claim=preferred_username"})
@ActiveProfiles("test")
@ContextConfiguration(initializers = {S3ProxyInitializer.class, TestJwks.Initializer.class})
public @interface SecureIntegrationTest {

    String ADMIN = "root-admin";
    String ADMIN_PASSWORD = "correct horse battery staple";
    String METRICS_TOKEN = "scrape-token-for-tests-0123456789";
}
