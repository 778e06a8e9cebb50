package io.cairn.web;

/**
 * One artifact file's page: a preview when it is text (the first {@code RunPages.PREVIEW_BYTES}) or an image, and
 * the download link.
 *
 * @param kind "text", "image" or "binary"
 */
public record ArtifactView(String runId, String runName, String path, long size, String kind, String text,
                           boolean truncated) {

    public String rawLink() {
        return new Query("/runs/" + Format.segment(runId) + "/artifact/raw").add("path", path).toString();
    }

    public String downloadLink() {
        return new Query("/runs/" + Format.segment(runId) + "/artifact/raw").add("path", path).add("download", "1")
                .toString();
    }

    public String runLink() {
        return "/runs/" + Format.segment(runId);
    }
}
