package io.cairn.platform.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Request body limits of the main HTTP port. Every body is limited; endpoints declare in {@link BodyLimits} when
 * theirs is bulk, has a setting of its own, or streams.
 *
 * @param maxBodySize     largest body of an ordinary endpoint. The largest legal single-item MLflow request (a
 *                        100,000-character registry tag value written entirely as six-byte JSON escapes) is about
 *                        600 KB
 * @param maxBulkBodySize largest body of a bulk JSON endpoint (runs/log-batch, runs/log-inputs, registry creates,
 *                        JSON training sets, entity predictions). The largest legal log-batch (100 tags of 8,000
 *                        characters, 100 params of 6,000, 800 metrics with 250-character keys, all escaped) is
 *                        about 10 MB
 */
@ConfigurationProperties("cairn.http")
public record HttpProperties(@DefaultValue("1MB") DataSize maxBodySize,
                             @DefaultValue("16MB") DataSize maxBulkBodySize) {
}
