package io.cairn.web;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunArtifactService;
import io.cairn.tracking.RunBrowsing;
import io.cairn.tracking.RunService;
import io.cairn.tracking.ExperimentService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** {@code /runs/{id}}: a run's page, its metric series for the charts, and its artifacts. */
@Controller
@DashboardPage
class RunPages {

    /** Points a chart is sent at most, whatever the length of the history: LTTB picks them on the server. */
    static final int MAX_POINTS = 2000;
    /** Charts drawn when the page opens; the others on request, so 100 metric keys do not mean 100 fetches. */
    static final int CHARTS_SHOWN = 4;
    /** How much of a text artifact the preview shows. */
    static final int PREVIEW_BYTES = 256 * 1024;
    private static final Map<String, MediaType> IMAGES = Map.of("png", MediaType.IMAGE_PNG, "jpg",
            MediaType.IMAGE_JPEG, "jpeg", MediaType.IMAGE_JPEG, "gif", MediaType.IMAGE_GIF, "webp",
            MediaType.parseMediaType("image/webp"));

    private final RunService runs;
    private final ExperimentService experiments;
    private final RunBrowsing browsing;
    private final RunArtifactService artifacts;
    private final ModelVersions versions;
    private final Access access;

    RunPages(RunService runs, ExperimentService experiments, RunBrowsing browsing, RunArtifactService artifacts,
             ModelVersions versions, Access access) {
        this.runs = runs;
        this.experiments = experiments;
        this.browsing = browsing;
        this.artifacts = artifacts;
        this.versions = versions;
        this.access = access;
    }

    @GetMapping("/runs/{runId}")
    String run(@PathVariable String runId, @RequestParam(required = false) List<String> chart,
               @RequestParam(required = false, defaultValue = "") String artifacts, Model model) {
        Run run = readable(runId);
        List<Metric> metrics = new ArrayList<>(run.latestMetrics());
        metrics.sort(Comparator.comparing(Metric::key));
        List<String> charted = chart != null ? chart.stream().distinct().limit(RunsPages.MAX_COLUMNS).toList()
                : metrics.stream().map(Metric::key).limit(CHARTS_SHOWN).toList();
        String directory = artifacts.strip().replaceAll("^/+|/+$", "");
        List<ArtifactFile> files = List.of();
        String artifactsError = null;
        try {
            files = this.artifacts.list(runId, directory).files();
        } catch (CairnException e) {
            artifactsError = e.getMessage();
        }
        List<ModelVersion> registered = versions.ofRun(run.info().runId(), 100);
        registered = access.readable(ResourceType.REGISTERED_MODEL, registered, ModelVersion::name);
        model.addAttribute("view", new RunView(run, experiments.get(run.info().experimentId()), metrics, charted,
                directory, files, artifactsError, registered));
        return "run";
    }

    /** One metric's history for a chart, downsampled to {@link #MAX_POINTS}; {@code from}/{@code to} zoom in. */
    @GetMapping(path = "/runs/{runId}/series", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    SeriesJson series(@PathVariable String runId, @RequestParam String key, @RequestParam(required = false) Long from,
                      @RequestParam(required = false) Long to) {
        readableInfo(runId);
        return SeriesJson.of(browsing.series(runId, key, from, to), MAX_POINTS);
    }

    @GetMapping("/runs/{runId}/artifact")
    String artifact(@PathVariable String runId, @RequestParam String path, Model model) throws IOException {
        Run run = readable(runId);
        ArtifactContent content = artifacts.open(runId, path).orElseThrow(() -> CairnException.notFound(
                "Run " + runId + " has no artifact file at '" + path + "'."));
        String kind;
        String text = null;
        boolean truncated = false;
        try (InputStream in = content.stream()) {
            if (IMAGES.containsKey(extension(path))) {
                kind = "image";
            } else {
                byte[] head = in.readNBytes(PREVIEW_BYTES);
                text = utf8(head);
                kind = text == null ? "binary" : "text";
                truncated = content.size() > head.length;
            }
        }
        model.addAttribute("view", new ArtifactView(runId, Format.runName(run.info()), path, content.size(), kind, text, truncated));
        return "artifact";
    }

    /**
     * The file itself: images inline (for the preview), everything else as a download, so an HTML or SVG artifact
     * is never rendered as a page of this origin.
     */
    @GetMapping("/runs/{runId}/artifact/raw")
    ResponseEntity<StreamingResponseBody> raw(@PathVariable String runId, @RequestParam String path,
                                              @RequestParam(required = false) String download) {
        readableInfo(runId);
        ArtifactContent content = artifacts.open(runId, path).orElseThrow(() -> CairnException.notFound(
                "Run " + runId + " has no artifact file at '" + path + "'."));
        MediaType image = IMAGES.get(extension(path));
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        boolean inline = image != null && download == null;
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(inline ? image : MediaType.APPLICATION_OCTET_STREAM);
        headers.setContentLength(content.size());
        headers.setContentDisposition((inline ? ContentDisposition.inline() : ContentDisposition.attachment())
                .filename(fileName, StandardCharsets.UTF_8).build());
        StreamingResponseBody body = out -> {
            try (InputStream in = content.stream()) {
                in.transferTo(out);
            }
        };
        return ResponseEntity.ok().headers(headers).body(body);
    }

    private Run readable(String runId) {
        var info = runs.getInfo(runId);
        access.require(ResourceType.EXPERIMENT, info.experimentId(), Permission.READ);
        return runs.get(runId);
    }

    private void readableInfo(String runId) {
        access.require(ResourceType.EXPERIMENT, runs.getInfo(runId).experimentId(), Permission.READ);
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The bytes as UTF-8 text, or null when they are not text (invalid UTF-8 or control bytes). */
    static String utf8(byte[] bytes) {
        int end = bytes.length;
        // A preview cut inside a multi-byte character: drop the partial character rather than call the file binary.
        int back = 0;
        while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1] & 0xC0) == 0x80) {
            back++;
        }
        if (end > 0 && end - back - 1 >= 0 && (bytes[end - back - 1] & 0xC0) == 0xC0) {
            end = end - back - 1;
        }
        for (int i = 0; i < end; i++) {
            byte b = bytes[i];
            if (b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f')) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, end)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
