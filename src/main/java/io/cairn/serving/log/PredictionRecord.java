package io.cairn.serving.log;

import io.cairn.serving.onnx.Tensor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One prediction as the log stores it. {@code inputs} (the tensors given, null when input logging is off) or
 * {@code entityKeys} (for a prediction by entity key) say what went in, {@code outputs} what came out; {@code tags}
 * are the request's tags ({@link io.cairn.serving.RequestTags}), empty when it sent none.
 */
public record PredictionRecord(UUID id, String deployment, String model, int version, String alias, String requestId,
                               Map<String, Tensor> inputs, Map<String, List<JsonNode>> entityKeys,
                               Map<String, Tensor> outputs, double latencyMs, Instant createdAt,
                               Map<String, String> tags) {
}
