package io.cairn.serving.deployments;

import io.cairn.registry.ModelVersion;
import io.cairn.registry.MonitoringTags;
import io.cairn.serving.ServingProperties;
import io.cairn.serving.onnx.ModelLoadException;
import io.cairn.serving.onnx.OnnxArtifacts;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.OnnxSessions;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Loads one model version for a deployment: finds its ONNX file in the artifact store, copies it to local disk,
 * opens an ONNX Runtime session on the deployment's device and warms it up with one run, so the first request after
 * a swap finds a warm session.
 */
@Component
class ModelLoader {

    /** The model version tag that lists the feature references of the model's input columns, in order. */
    static final String FEATURES_TAG = MonitoringTags.FEATURES;

    private final OnnxArtifacts artifacts;
    private final OnnxSessions sessions;
    private final ServingMetrics metrics;
    private final int concurrentBatches;
    private final Clock clock;

    ModelLoader(OnnxArtifacts artifacts, OnnxSessions sessions, ServingMetrics metrics, ServingProperties properties,
                Clock clock) {
        this.artifacts = artifacts;
        this.sessions = sessions;
        this.metrics = metrics;
        this.concurrentBatches = properties.concurrentBatches() > 0 ? properties.concurrentBatches()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, properties.session().intraOpThreads()));
        this.clock = clock;
    }

    ServedModel load(DeploymentSpec spec, Slot.Role role, ModelVersion version, ServedModel.LoadKey key) {
        String label = "Deployment " + spec.name() + " (" + role.value() + ", alias " + key.alias() + "): model "
                + version.name() + " version " + version.version();
        OnnxModel onnx;
        // ONNX Runtime holds the model in memory once the session exists, so the copy goes as soon as it is open.
        try (OnnxArtifacts.LocalCopy copy = artifacts.fetch(artifacts.locate(version.storageLocation()))) {
            onnx = sessions.open(copy.file(), spec.device(), label);
        }
        try {
            onnx.warmUp();
        } catch (Throwable e) {
            // An Error too (zeros for a huge fixed input shape are an OutOfMemoryError): the session must not leak.
            onnx.close();
            throw new ModelLoadException("The warm-up run on zeros failed: " + (e instanceof Exception
                    ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage()), e);
        }
        return new ServedModel(spec.name(), version.name(), version.version(), key.alias(), key,
                MonitoringTags.featureRefs(version.tags()), onnx, spec.maxBatchSize(), spec.maxQueueDelayMs(),
                concurrentBatches, metrics, clock.instant());
    }
}
