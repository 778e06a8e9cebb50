package io.cairn.serving;

import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Serving settings.
 *
 * @param reconcileInterval how often each replica compares its loaded sessions with the deployments table and the
 *                          registry's alias targets; changes made through this replica apply at once
 * @param loadRetryInterval how long a replica waits before trying a failed load of the same version again
 * @param putWait           how long {@code PUT /api/v1/deployments/{name}} waits for this replica to load the model
 *                          before answering with the state so far
 * @param loadThreads       models loaded at the same time (download, session creation, warm-up)
 * @param maxRequestSize    largest inference request body accepted; requests are held in memory while decoded
 * @param concurrentBatches batches of one batching deployment that may run at the same time; 0 (the default) means
 *                          one per core available to sessions (processors / intra-op threads)
 * @param session           ONNX Runtime session options, the same for every deployment
 * @param predictionLog     the asynchronous prediction log
 */
@ConfigurationProperties("cairn.serving")
public record ServingProperties(@DefaultValue("1s") Duration reconcileInterval,
                                @DefaultValue("30s") Duration loadRetryInterval,
                                @DefaultValue("60s") Duration putWait,
                                @DefaultValue("2") int loadThreads,
                                @DefaultValue("64MB") DataSize maxRequestSize,
                                @DefaultValue("0") int concurrentBatches,
                                @DefaultValue Session session,
                                @DefaultValue PredictionLog predictionLog) {

    /**
     * ONNX Runtime session options.
     *
     * @param intraOpThreads    threads one inference may use inside an operator; 1 by default because the server
     *                          already runs requests (and batches) in parallel on its request threads, and extra pool
     *                          threads would compete with them for the same cores
     * @param interOpThreads    threads for running independent graph branches in parallel (only with
     *                          {@code parallelExecution})
     * @param parallelExecution run independent branches of the graph in parallel (ORT's PARALLEL execution mode)
     * @param optimizationLevel graph optimizations applied when a session is created
     * @param cpuArena          ORT's CPU memory arena: reuses allocations between runs (faster), at the cost of memory
     *                          held at the size of the largest batch seen
     * @param memoryPattern     pre-plans memory for repeated runs of the same input shapes
     * @param allowSpinning     let idle intra-op pool threads spin waiting for work; off so idle sessions cost no CPU
     * @param cudaDeviceId      the GPU used by deployments on {@code cuda} (or {@code auto} with a usable GPU)
     */
    public record Session(@DefaultValue("1") int intraOpThreads,
                          @DefaultValue("1") int interOpThreads,
                          @DefaultValue("false") boolean parallelExecution,
                          @DefaultValue("all") OptimizationLevel optimizationLevel,
                          @DefaultValue("true") boolean cpuArena,
                          @DefaultValue("true") boolean memoryPattern,
                          @DefaultValue("false") boolean allowSpinning,
                          @DefaultValue("0") int cudaDeviceId) {
    }

    /** ONNX Runtime's graph optimization levels. */
    public enum OptimizationLevel { NONE, BASIC, EXTENDED, ALL }

    /**
     * The prediction log.
     *
     * @param enabled       log every prediction to the prediction_log table
     * @param capacity      predictions held in memory waiting to be written; when full, new ones are dropped and
     *                      counted in {@code cairn_prediction_log_dropped_total}
     * @param batchSize     most rows written per batched INSERT; the writer takes whatever is queued (up to this many)
     *                      as soon as something is there, so batches grow with the load on their own
     * @param logInputs     store the input tensors (off: only ids, outputs, latency and entity keys)
     * @param maxRecordSize largest JSON of one record's inputs (and of its entity keys) stored as it is; larger ones
     *                      are replaced by a marker naming their tensors and shapes (or keys and counts), so one large
     *                      request cannot put tens of megabytes into the table. Outputs are always stored
     * @param retention     how long rows are kept; older ones are deleted by an hourly job on one replica. Zero keeps
     *                      them forever
     * @param retentionSchedule when that job runs, a Spring cron ({@code -}: never)
     */
    public record PredictionLog(@DefaultValue("true") boolean enabled,
                                @DefaultValue("10000") int capacity,
                                @DefaultValue("500") int batchSize,
                                @DefaultValue("true") boolean logInputs,
                                @DefaultValue("256KB") DataSize maxRecordSize,
                                @DefaultValue("30d") Duration retention,
                                @DefaultValue("0 17 * * * *") String retentionSchedule) {
    }
}
