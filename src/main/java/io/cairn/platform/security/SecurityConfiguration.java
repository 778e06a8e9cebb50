package io.cairn.platform.security;

import io.cairn.platform.error.ErrorCode;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The HTTP security of the main port. Off ({@code cairn.security.enabled=false}): every request is let through,
 * with the browser-facing headers still set. On: every request is authenticated by {@link AuthenticationFilter};
 * only the probes are public, {@code /actuator/prometheus} takes the scrape token or an admin, the rest of
 * {@code /actuator} admins, everything else a signed-in user — whose permission on the resource each endpoint then
 * checks through {@link Access}. No sessions and no cookies: every request carries its credentials, so there is
 * nothing for CSRF to ride on (the dashboard, when it adds sessions, adds CSRF protection with them).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecurityProperties.class)
class SecurityConfiguration {

    /** Paths anyone may call: liveness and readiness for kubelet, V2's and Feast's own probes, the error page. */
    static final String[] PUBLIC_PATHS = {"/actuator/health", "/actuator/health/liveness",
        "/actuator/health/readiness", "/v2/health/live", "/v2/health/ready", "/health", "/error",
        // The API's description and its browser, so a client can be generated before it has a token.
        "/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**"};

    /**
     * What HTML pages (the dashboard, the model card) may load: scripts, styles, images and fetches from this origin
     * only, never inline script, no plugins, no framing, forms posting only here. With no inline script allowed, even a
     * value that escaped escaping could not run. Inline styles stay allowed for the card's self-contained page. API
     * answers are JSON, which a browser never runs, so one policy serves every response.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'self'";

    @Bean
    PasswordEncoder passwordEncoder() {
        // BCrypt (strength 10) behind Spring's delegating encoder, so stored hashes name their algorithm.
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /**
     * Spring Security's firewall refuses non-canonical paths ({@code ..}, encoded dots and slashes, {@code %25}) before
     * any controller sees them; the refusal is answered in the path's protocol format, like any bad parameter.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(SecurityErrors errors) {
        return (request, response, e) -> errors.write(request, response, ErrorCode.INVALID_PARAMETER_VALUE,
                "The request was rejected: " + e.getMessage() + ". Send the path in canonical form, without '.', "
                        + "'..', encoded dots, slashes or percent signs.");
    }

    /**
     * The dashboard's paths: its pages, its sign-in and sign-out, and the static files they load. Only these take the
     * browser session cookie, and only these check CSRF tokens.
     */
    static final String[] DASHBOARD_PATHS = {"/", "/experiments", "/experiments/**", "/runs/**", "/models",
        "/models/**", "/features", "/features/**", "/deployments", "/deployments/**", "/lineage", "/lineage/**",
        "/audit", "/audit/**", "/admin", "/admin/**", "/login", "/logout", "/assets/**", "/webjars/**"};

    /** Dashboard paths anyone may load: the sign-in page and the styles and scripts it needs. */
    static final String[] DASHBOARD_PUBLIC_PATHS = {"/login", "/logout", "/assets/**", "/webjars/**"};

    /**
     * With security on, the dashboard signs browsers in with a form and a session cookie ({@link BrowserSessions})
     * and checks a CSRF token (double-submit cookie, Spring Security's) on everything but GET. A browser that is not
     * signed in is sent to the sign-in page; a script without credentials still gets the JSON 401.
     */
    @Bean
    @org.springframework.core.annotation.Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, SecurityProperties properties,
                                          Authenticator authenticator, SecurityErrors errors) throws Exception {
        http.securityMatcher(DASHBOARD_PATHS);
        if (!properties.enabled()) {
            return http.csrf(AbstractHttpConfigurer::disable)
                    .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                    .requestCache(AbstractHttpConfigurer::disable)
                    .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)))
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        return http
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // No HttpSession and no session management: the cookie is checked on every request (like a header),
                // and session management would take each such request for a new sign-in and rotate the CSRF token
                // under the page that was just rendered with it.
                .sessionManagement(AbstractHttpConfigurer::disable)
                .securityContext(c -> c.securityContextRepository(
                        new org.springframework.security.web.context.RequestAttributeSecurityContextRepository()))
                .csrf(c -> c.csrfTokenRepository(org.springframework.security.web.csrf.CookieCsrfTokenRepository
                                .withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new org.springframework.security.web.csrf
                                .CsrfTokenRequestAttributeHandler()))
                .addFilterAfter(new CsrfCookieFilter(), org.springframework.security.web.csrf.CsrfFilter.class)
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)))
                .addFilterBefore(new AuthenticationFilter(authenticator, true, errors), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(DASHBOARD_PUBLIC_PATHS).permitAll()
                        .anyRequest().hasRole("USER"))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> {
                            String accept = request.getHeader("Accept");
                            if (accept != null && accept.contains("text/html")) {
                                String next = request.getRequestURI() + (request.getQueryString() == null ? ""
                                        : "?" + request.getQueryString());
                                response.sendRedirect("/login?next=" + java.net.URLEncoder.encode(next,
                                        java.nio.charset.StandardCharsets.UTF_8));
                                return;
                            }
                            errors.write(request, response, ErrorCode.UNAUTHENTICATED, "Authentication "
                                    + "required: sign in at /login, or send a user name and password (HTTP Basic) "
                                    + "or a token (Authorization: Bearer).");
                        })
                        .accessDeniedHandler((request, response, ex) -> errors.write(request, response,
                                ErrorCode.PERMISSION_DENIED, "Permission denied for " + request.getMethod() + " "
                                        + request.getRequestURI() + (ex instanceof org.springframework.security.web
                                        .csrf.CsrfException ? ": the form's CSRF token is missing or stale; reload "
                                        + "the page and submit again." : "."))))
                .build();
    }

    @Bean
    @org.springframework.core.annotation.Order(2)
    SecurityFilterChain cairnSecurity(HttpSecurity http, SecurityProperties properties, Authenticator authenticator,
                                      SecurityErrors errors) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)));
        if (!properties.enabled()) {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        return http
                .addFilterBefore(new AuthenticationFilter(authenticator, false, errors), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(PUBLIC_PATHS).permitAll()
                        .requestMatchers("/actuator/prometheus").hasAuthority(CairnAuthentication.METRICS)
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .anyRequest().hasRole("USER"))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> errors.write(request, response,
                                ErrorCode.UNAUTHENTICATED, "Authentication required: send a user name and password "
                                        + "(HTTP Basic) or a token (Authorization: Bearer)."))
                        .accessDeniedHandler((request, response, ex) -> errors.write(request, response,
                                ErrorCode.PERMISSION_DENIED, "Permission denied for " + request.getMethod() + " "
                                        + request.getRequestURI() + ".")))
                .build();
    }
}
