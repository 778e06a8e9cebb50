package io.cairn.platform.security;

/**
 * Who an authenticated request acts as. {@code userId} is null for the metrics scraper, which is no user and may
 * only read {@code /actuator/prometheus}.
 */
public record CairnPrincipal(Long userId, String username, boolean admin, String method) {

    /** The principal of requests carrying the configured scrape token. */
    static CairnPrincipal metricsScraper() {
        return new CairnPrincipal(null, "metrics-scraper", false, "metrics-token");
    }

    public boolean isUser() {
        return userId != null;
    }
}
