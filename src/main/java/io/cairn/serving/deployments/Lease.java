package io.cairn.serving.deployments;

import ai.onnxruntime.OrtException;
import io.cairn.serving.batching.Batcher;
import io.cairn.serving.onnx.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A request's hold on the model that answers it: the model stays open until the lease is closed, and its batcher
 * knows the request is coming. Use with try-with-resources; one inference per lease.
 */
public final class Lease implements AutoCloseable {

    private final ServedModel model;
    private boolean submitted;

    Lease(ServedModel model) {
        this.model = model;
        model.batcher().arrive();
    }

    public ServedModel model() {
        return model;
    }

    /** Runs the inputs through the model's batcher. */
    public Batcher.Outcome infer(Map<String, Tensor> inputs, List<String> outputs) throws OrtException {
        if (submitted) {
            throw new IllegalStateException("one inference per lease");
        }
        submitted = true;
        return model.batcher().infer(inputs, outputs);
    }

    @Override
    public void close() {
        if (!submitted) {
            model.batcher().depart();
        }
        model.release();
    }
}
