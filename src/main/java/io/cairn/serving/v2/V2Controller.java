package io.cairn.serving.v2;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.deployments.DeploymentRouter;
import io.cairn.serving.deployments.ServedModel;
import io.cairn.serving.onnx.OnnxSessions;
import io.cairn.serving.onnx.TensorSpec;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol (KServe V2) over REST. A model is a deployment: {@code /v2/models/{deployment}} answers
 * with the version behind its alias (or the canary's, for the canary's share of inference requests), and
 * {@code /versions/{v}} addresses a loaded version directly.
 */
@RestController
@V2Api
@RequestMapping("/v2")
class V2Controller {

    static final String VERSION_HEADER = "X-Cairn-Model-Version";
    static final String PREDICTION_HEADER = "X-Cairn-Prediction-Id";
    /** The binary tensor data extension: the length of the JSON part of a body that binary tensor data follows. */
    static final String HEADER_LENGTH_HEADER = "Inference-Header-Content-Length";

    private final DeploymentRouter router;
    private final V2Inference inference;
    private final OnnxSessions sessions;
    private final Access access;

    V2Controller(DeploymentRouter router, V2Inference inference, OnnxSessions sessions, Access access) {
        this.access = access;
        this.router = router;
        this.inference = inference;
        this.sessions = sessions;
    }

    record ServerMetadata(String name, String version, List<String> extensions) {
    }

    record Live(boolean live) {
    }

    record Ready(boolean ready) {
    }

    record ModelReady(String name, boolean ready) {
    }

    record TensorMetadata(String name, String datatype, long[] shape) {
    }

    /** The protocol's model metadata; {@code parameters} (device, alias) is Cairn's addition. */
    record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
                         List<TensorMetadata> outputs, Map<String, Object> parameters) {
    }

    @GetMapping("")
    ServerMetadata server() {
        String version = V2Controller.class.getPackage().getImplementationVersion();
        return new ServerMetadata("cairn", version == null ? "dev" : version, List.of("binary_tensor_data"));
    }

    @GetMapping("/health/live")
    Live live() {
        return new Live(true);
    }

    /** Ready when every deployment has its aliases loaded on this replica (the protocol's "all models ready"). */
    @GetMapping("/health/ready")
    ResponseEntity<Ready> ready() {
        boolean ready = router.allReady();
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(new Ready(ready));
    }

    @GetMapping({"/models/{name}", "/models/{name}/versions/{version}"})
    ModelMetadata metadata(@PathVariable String name, @PathVariable(required = false) String version) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        ServedModel model = router.current(name, version);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("device", model.onnx().device());
        if (model.onnx().deviceNote() != null) {
            parameters.put("device_note", model.onnx().deviceNote());
        }
        parameters.put("alias", model.alias());
        parameters.put("model", model.model());
        parameters.put("onnxruntime_version", sessions.runtimeVersion());
        return new ModelMetadata(name, version == null ? router.loadedVersions(name) : List.of(model.versionText()),
                "onnxruntime_onnx", tensors(model.onnx().inputs()), tensors(model.onnx().outputs()), parameters);
    }

    private static List<TensorMetadata> tensors(List<TensorSpec> specs) {
        return specs.stream().map(s -> new TensorMetadata(s.name(), s.datatype().name(), s.shape())).toList();
    }

    @GetMapping({"/models/{name}/ready", "/models/{name}/versions/{version}/ready"})
    ResponseEntity<ModelReady> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        boolean ready = router.ready(name, version);
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(new ModelReady(name, ready));
    }

    /**
     * Inference takes JSON ({@code application/json}) or binary tensor data ({@code application/octet-stream}), or no
     * Content-Type at all when {@code Inference-Header-Content-Length} is sent (tritonclient sends its binary requests
     * so). Everything else is refused: a web page can make a visitor's browser POST text/plain, a form, or a body
     * without a type to any origin with no CORS preflight (a "simple request"), and the model would run on it.
     * JSON, octet-stream and the custom header each require a preflight, which this server does not grant.
     */
    private static void checkContentType(HttpServletRequest request) {
        String header = request.getContentType();
        if (header == null && request.getHeader(HEADER_LENGTH_HEADER) != null) {
            return;
        }
        MediaType type = null;
        try {
            type = header == null ? null : MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            // refused below, like any other type
        }
        if (type != null && (type.equalsTypeAndSubtype(MediaType.APPLICATION_JSON)
                || type.equalsTypeAndSubtype(MediaType.APPLICATION_OCTET_STREAM))) {
            return;
        }
        throw new CairnException(ErrorCode.BAD_REQUEST, (header == null ? "The request has no Content-Type"
                : "Content-Type '" + header + "' is not accepted") + "; send Content-Type: application/json (or "
                + "application/octet-stream for binary tensor data). Types a browser may send from any web page "
                + "without a CORS preflight (text/plain, forms, none) are refused.");
    }

    private static int headerLength(String header, int bodyLength) {
        if (header == null) {
            return bodyLength;
        }
        try {
            return Integer.parseInt(header.strip());
        } catch (NumberFormatException e) {
            throw CairnException.invalid(HEADER_LENGTH_HEADER + " must be the length in bytes of the JSON header at "
                    + "the start of the body; got '" + header + "'.");
        }
    }

    /**
     * Inference. The body is read and written here directly rather than through message converters: the tensors go
     * from the request bytes into primitive arrays and back without an object per value.
     */
    @PostMapping({"/models/{name}/infer", "/models/{name}/versions/{version}/infer"})
    void infer(@PathVariable String name, @PathVariable(required = false) String version, HttpServletRequest request,
               HttpServletResponse response) throws IOException {
        long start = System.nanoTime();
        // Who may infer: READ on the deployment (a cached level, so no query per request).
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        checkContentType(request);
        // At most cairn.serving.max-request-size: RequestBodyLimitFilter answers 413 past it (ServingBodyLimits).
        byte[] body = request.getInputStream().readAllBytes();
        int headerLength = headerLength(request.getHeader(HEADER_LENGTH_HEADER), body.length);
        V2Inference.Answer answer = inference.infer(name, version, body, headerLength, start);
        response.setStatus(200);
        if (answer.headerLength() >= 0) {
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setHeader(HEADER_LENGTH_HEADER, Integer.toString(answer.headerLength()));
        } else {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        }
        response.setHeader(VERSION_HEADER, answer.modelVersion());
        response.setHeader(PREDICTION_HEADER, answer.predictionId());
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }
}
