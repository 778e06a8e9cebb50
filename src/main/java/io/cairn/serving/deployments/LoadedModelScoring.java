package io.cairn.serving.deployments;

import ai.onnxruntime.OrtException;
import io.cairn.platform.error.CairnException;
import io.cairn.serving.ModelScoring;
import io.cairn.serving.PredictionsLogged;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.onnx.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** {@link ModelScoring} through the deployment's loaded session, as one batch on its batcher. */
@Component
class LoadedModelScoring implements ModelScoring {

    private final DeploymentRouter router;

    LoadedModelScoring(DeploymentRouter router) {
        this.router = router;
    }

    @Override
    public Optional<Map<String, PredictionsLogged.Values>> score(String deployment, int version, double[] rows,
                                                                 int columns) {
        if (columns <= 0 || rows.length % columns != 0 || rows.length == 0) {
            return Optional.empty();
        }
        Lease lease;
        try {
            lease = router.lease(deployment, Integer.toString(version));
        } catch (CairnException e) {
            return Optional.empty(); // not loaded on this replica (or no such deployment)
        }
        try (lease) {
            List<TensorSpec> inputs = lease.model().onnx().inputs();
            TensorSpec input = inputs.size() == 1 ? inputs.get(0) : null;
            if (input == null || input.shape().length != 2
                    || (input.datatype() != Datatype.FP32 && input.datatype() != Datatype.FP64)
                    || (input.shape()[1] >= 0 && input.shape()[1] != columns)) {
                return Optional.empty();
            }
            Object data;
            if (input.datatype() == Datatype.FP64) {
                data = rows.clone();
            } else {
                float[] f = new float[rows.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) rows[i];
                }
                data = f;
            }
            Tensor tensor = new Tensor(input.datatype(), new long[] {rows.length / columns, columns}, data);
            Map<String, Tensor> outputs = lease.infer(Map.of(input.name(), tensor), null).outputs();
            Map<String, PredictionsLogged.Values> values = new LinkedHashMap<>();
            outputs.forEach((name, t) -> values.put(name, new PredictionsLogged.Values(t.datatype().name(), t.shape(),
                    t.data())));
            return Optional.of(values);
        } catch (OrtException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
