package io.cairn.serving.v2;

import ai.onnxruntime.OrtException;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.batching.Batcher;
import io.cairn.serving.deployments.DeploymentRouter;
import io.cairn.serving.deployments.Lease;
import io.cairn.serving.deployments.ServedModel;
import io.cairn.serving.deployments.ServingMetrics.ModelMeters;
import io.cairn.serving.log.PredictionIds;
import io.cairn.serving.log.PredictionLog;
import io.cairn.serving.log.PredictionRecord;
import io.cairn.serving.v2.InferenceRequestReader.InferenceRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One inference over the protocol: route to the model that answers, decode and check the tensors, run them through
 * the model's batcher, encode the answer, count it and hand it to the prediction log.
 */
@Component
class V2Inference {

    /**
     * An encoded response and what the headers say about it; {@code headerLength} is the length of the JSON part when
     * binary output data follows it, else -1.
     */
    record Answer(byte[] body, int headerLength, String modelVersion, String predictionId) {
    }

    private final DeploymentRouter router;
    private final PredictionLog predictionLog;
    private final InferenceRequestReader reader;
    private final InferenceResponseWriter writer;

    V2Inference(DeploymentRouter router, PredictionLog predictionLog, JsonMapper json) {
        this.router = router;
        this.predictionLog = predictionLog;
        // Shortest exact float and double text via Schubfach rather than the JDK 17 Float/Double.toString, which is
        // several times slower on outputs of any size.
        JsonMapper tensors = json.rebuild().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
        this.reader = new InferenceRequestReader(tensors);
        this.writer = new InferenceResponseWriter(tensors);
    }

    /**
     * @param headerLength the JSON header's length when binary input data follows it ({@code
     *                     Inference-Header-Content-Length}), else the body's length
     */
    Answer infer(String deployment, String version, byte[] body, int headerLength, long startNanos) {
        try (Lease lease = router.lease(deployment, version)) {
            ServedModel model = lease.model();
            ModelMeters meters = model.meters();
            InferenceRequest request;
            try {
                request = reader.read(body, headerLength, model.onnx(), "model '" + deployment + "' version " + model.version());
            } catch (CairnException e) {
                meters.badRequest();
                throw e;
            }
            Batcher.Outcome outcome;
            try {
                outcome = lease.infer(request.inputs(), request.outputs());
            } catch (OrtException e) {
                if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
                    meters.badRequest();
                    throw CairnException.invalid("ONNX Runtime rejected the inputs: " + e.getMessage().strip());
                }
                meters.failed();
                throw new CairnException(ErrorCode.INTERNAL_ERROR, "Inference failed in ONNX Runtime: "
                        + e.getMessage().strip());
            } catch (RuntimeException e) {
                meters.failed();
                throw e;
            }
            UUID predictionId = PredictionIds.next();
            Map<String, Object> parameters = new LinkedHashMap<>(4);
            parameters.put("prediction_id", predictionId.toString());
            parameters.put("alias", model.alias());
            InferenceResponseWriter.Encoded encoded = writer.write(deployment, model.versionText(),
                    request.id() != null ? request.id() : predictionId.toString(), parameters, outcome.outputs(),
                    request.binary());
            long totalNanos = System.nanoTime() - startNanos;
            meters.succeeded(outcome.queueNanos(), outcome.computeNanos(), totalNanos);
            predictionLog.offer(new PredictionRecord(predictionId, deployment, model.model(), model.version(),
                    model.alias(), request.id(), predictionLog.logsInputs() ? request.inputs() : null, null,
                    outcome.outputs(), totalNanos / 1e6, Instant.now(), request.tags()));
            return new Answer(encoded.body(), encoded.headerLength(), model.versionText(), predictionId.toString());
        }
    }
}
