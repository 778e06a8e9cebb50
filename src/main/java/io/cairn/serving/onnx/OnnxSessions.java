package io.cairn.serving.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.cairn.serving.ServingProperties;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates ONNX Runtime sessions with the configured options ({@code cairn.serving.session.*}) on the device a
 * deployment asks for. Which ONNX Runtime is on the classpath decides whether CUDA exists at all: the CPU build
 * ({@code onnxruntime}, the default) has no CUDA provider, the GPU build ({@code onnxruntime_gpu}, Maven profile
 * {@code gpu}) has one that still needs a GPU and CUDA 12 libraries at run time.
 */
@Component
public class OnnxSessions {

    private static final Logger log = LoggerFactory.getLogger(OnnxSessions.class);

    private final ServingProperties.Session settings;
    private final OrtEnvironment env;
    private volatile Optional<String> cudaProblem;

    public OnnxSessions(ServingProperties properties) {
        this.settings = properties.session();
        this.env = OrtEnvironment.getEnvironment();
    }

    /** The ONNX Runtime version in use. */
    public String runtimeVersion() {
        return env.getVersion();
    }

    /**
     * Why this server cannot run sessions on CUDA, or empty when it can. Probed once: the CUDA provider is either
     * compiled into this ONNX Runtime build or not, and its libraries either load or not.
     */
    public Optional<String> cudaUnavailable() {
        Optional<String> known = cudaProblem;
        if (known == null) {
            known = probeCuda();
            cudaProblem = known;
        }
        return known;
    }

    private Optional<String> probeCuda() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return Optional.of("this server runs the CPU build of ONNX Runtime " + env.getVersion()
                    + " (com.microsoft.onnxruntime:onnxruntime), which has no CUDA execution provider; "
                    + "the GPU image is built with the Maven profile gpu (onnxruntime_gpu)");
        }
        try (SessionOptions probe = new SessionOptions()) {
            probe.addCUDA(settings.cudaDeviceId());
            return Optional.empty();
        } catch (OrtException e) {
            return Optional.of("the CUDA execution provider of ONNX Runtime " + env.getVersion()
                    + " could not start on GPU " + settings.cudaDeviceId() + ": " + e.getMessage().strip()
                    + " (it needs a GPU with the CUDA 12 and cuDNN 9 libraries; ONNX Runtime's own log line names the"
                    + " library it could not load)");
        }
    }

    /**
     * Opens the model file on the device, after refusing a model that stores tensors as external data (see
     * {@link ExternalDataCheck}: ONNX Runtime would read any file the location names). {@code AUTO} tries CUDA and falls back to the CPU, recording why in
     * {@link OnnxModel#deviceNote()}; {@code CUDA} fails with the cause instead.
     *
     * @param label names the model in log lines, e.g. {@code deployment churn-svc: churn v3}
     * @throws ModelLoadException when the file is no loadable ONNX model or the device cannot be used
     */
    public OnnxModel open(Path file, Device device, String label) {
        ExternalDataCheck.refuse(file);
        OnnxModel model = switch (device) {
            case CPU -> create(file, false, null);
            case CUDA -> {
                Optional<String> problem = cudaUnavailable();
                if (problem.isPresent()) {
                    throw new ModelLoadException("Device cuda is not usable: " + problem.get() + ".");
                }
                try {
                    yield createOrThrow(file, true, null);
                } catch (OrtException e) {
                    throw new ModelLoadException("Device cuda: ONNX Runtime could not create a CUDA session: "
                            + e.getMessage().strip(), e);
                }
            }
            case AUTO -> {
                Optional<String> problem = cudaUnavailable();
                if (problem.isPresent()) {
                    yield create(file, false, "auto chose the CPU: " + problem.get());
                }
                try {
                    yield createOrThrow(file, true, null);
                } catch (OrtException e) {
                    yield create(file, false, "auto chose the CPU: creating a CUDA session failed: "
                            + e.getMessage().strip());
                }
            }
        };
        if (model.deviceNote() == null) {
            log.info("{} runs on {}", label, model.device());
        } else {
            log.info("{} runs on {} ({})", label, model.device(), model.deviceNote());
        }
        return model;
    }

    private OnnxModel create(Path file, boolean cuda, String note) {
        try {
            return createOrThrow(file, cuda, note);
        } catch (OrtException e) {
            String message = e.getMessage().strip();
            throw new ModelLoadException("ONNX Runtime cannot load the model: " + message
                    + (message.toLowerCase(java.util.Locale.ROOT).contains("external data")
                    ? " (the model keeps weights in external data files; Cairn serves self-contained .onnx files)"
                    : ""), e);
        }
    }

    private OnnxModel createOrThrow(Path file, boolean cuda, String note) throws OrtException {
        SessionOptions options = options(cuda);
        OrtSession session = null;
        try {
            session = env.createSession(file.toString(), options);
            return new OnnxModel(env, session, options, cuda ? "cuda" : "cpu", note);
        } catch (OrtException | RuntimeException e) {
            if (session != null) {
                session.close();
            }
            options.close();
            throw e;
        }
    }

    /** The session options every deployment shares; see {@link ServingProperties.Session} for why each is set. */
    public SessionOptions options(boolean cuda) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(settings.interOpThreads());
            options.setExecutionMode(settings.parallelExecution() ? SessionOptions.ExecutionMode.PARALLEL
                    : SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(switch (settings.optimizationLevel()) {
                case NONE -> SessionOptions.OptLevel.NO_OPT;
                case BASIC -> SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> SessionOptions.OptLevel.ALL_OPT;
            });
            options.setCPUArenaAllocator(settings.cpuArena());
            options.setMemoryPatternOptimization(settings.memoryPattern());
            String spin = settings.allowSpinning() ? "1" : "0";
            options.addConfigEntry("session.intra_op.allow_spinning", spin);
            options.addConfigEntry("session.inter_op.allow_spinning", spin);
            if (cuda) {
                options.addCUDA(settings.cudaDeviceId());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
