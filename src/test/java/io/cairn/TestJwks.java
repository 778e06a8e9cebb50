package io.cairn;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A stand-in identity provider for the OIDC tests: an RSA key made in the test JVM, its public half served as a JWK
 * set on a local port (what {@code jwk-set-uri} points at), and tokens signed with it. Another key, never published,
 * signs the forgeries.
 */
public final class TestJwks {

    private static TestJwks instance;

    private final RSAKey key;
    private final RSAKey stranger;
    private final HttpServer server;

    private TestJwks() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("cairn-test").generate();
        stranger = new RSAKeyGenerator(2048).keyID("cairn-test").generate();
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.start();
    }

    public static synchronized TestJwks get() {
        if (instance == null) {
            try {
                instance = new TestJwks();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    public String jwkSetUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** A token for {@code username} that expires at {@code expires}, signed by the published key. */
    public String token(String username, Instant expires) {
        return sign(key, username, expires);
    }

    /** The same token signed by a key the server does not know. */
    public String forged(String username, Instant expires) {
        return sign(stranger, username, expires);
    }

    private static String sign(RSAKey with, String username, Instant expires) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("sub-" + username)
                    .claim("preferred_username", username).issuer("https://idp.test")
                    .issueTime(Date.from(expires.minusSeconds(3600))).expirationTime(Date.from(expires)).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(with));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Points the secure context's resource server at the JWK set. */
    public static class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of("spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + get().jwkSetUri())
                    .applyTo(context);
        }
    }

}
