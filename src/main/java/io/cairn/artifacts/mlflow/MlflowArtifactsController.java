package io.cairn.artifacts.mlflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * MLflow's artifact proxy: clients whose runs have {@code mlflow-artifacts:/...} URIs upload, download, list and
 * delete files here, and the server forwards them to the artifact store. Bodies stream straight through in both
 * directions; nothing holds a whole file.
 */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"})
class MlflowArtifactsController {

    private static final Logger log = LoggerFactory.getLogger(MlflowArtifactsController.class);
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ArtifactStore store;
    private final Access access;

    MlflowArtifactsController(ArtifactStore store, Access access) {
        this.store = store;
        this.access = access;
    }

    /** Reading needs READ on the path's experiment, uploading EDIT, deleting MANAGE, as in MLflow's auth app. */
    private void require(String path, Permission needed) {
        access.requireOnArtifactPath(path, needed);
    }

    /** One listing entry as MLflow writes it: the entry's name, and a size for files only. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FileInfoJson(String path, boolean is_dir, Long file_size) {
        static FileInfoJson of(ArtifactFile file) {
            return new FileInfoJson(file.name(), file.isDir(), file.isDir() ? null : file.fileSize());
        }
    }

    record ListArtifactsResponse(List<FileInfoJson> files) {
    }

    @PutMapping("/artifacts/**")
    Map<String, Object> upload(HttpServletRequest request) throws IOException {
        String path = filePath(request);
        require(path, Permission.EDIT);
        // Content-Length when the client sent one, -1 for a chunked body: the store streams either way.
        store.write(path, request.getInputStream(), request.getContentLengthLong());
        return Map.of();
    }

    @GetMapping("/artifacts/**")
    void download(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = filePath(request);
        require(path, Permission.READ);
        ArtifactContent content = store.open(path)
                .orElseThrow(() -> CairnException.notFound("Artifact '" + path + "' does not exist."));
        try (InputStream in = content.stream()) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setContentLengthLong(content.size());
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                    .filename(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8).build().toString());
            response.setHeader("X-Content-Type-Options", "nosniff");
            if ("HEAD".equals(request.getMethod())) {
                return; // headers only: do not pull the object from the store just to discard it
            }
            OutputStream out = response.getOutputStream();
            byte[] buffer = new byte[BUFFER_SIZE];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    // The client hung up: nothing to answer. Closing the store stream early drops the S3 connection
                    // instead of reading the rest of the object. Store read failures above still propagate.
                    log.debug("Download of {} abandoned by the client after a partial transfer: {}", path, e.toString());
                    return;
                }
            }
            out.flush();
        }
    }

    @DeleteMapping("/artifacts/**")
    Map<String, Object> delete(HttpServletRequest request) {
        // Like MLflow, deleting what is not there is not an error: the caller's goal already holds.
        String path = filePath(request);
        require(path, Permission.MANAGE);
        store.delete(path);
        return Map.of();
    }

    @GetMapping("/artifacts")
    ListArtifactsResponse list(@RequestParam(name = "path", required = false) String path) {
        String directory = ArtifactPaths.normalize(path);
        require(directory, Permission.READ);
        return new ListArtifactsResponse(store.list(directory).stream().map(FileInfoJson::of).toList());
    }

    /** The validated store path named by the raw request URI; the bare collection names no file. */
    private static String filePath(HttpServletRequest request) {
        String raw = ArtifactRequestPaths.rawArtifactPath(request).orElseThrow(() -> CairnException.invalid(
                "Invalid artifact request path '" + request.getRequestURI() + "': send it in canonical form, "
                        + "without '.', '..' or empty segments before the artifact path."));
        String path = ArtifactPaths.normalize(raw);
        if (path.isEmpty()) {
            throw CairnException.invalid("Missing artifact path: use /artifacts/<path>, or GET /artifacts?path=<dir> "
                    + "to list a directory.");
        }
        return path;
    }
}
