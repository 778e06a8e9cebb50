#!/usr/bin/env bash
# Model-serving benchmark (issue #5): builds the server jar, starts it on a fresh database and runs
# bench/ServingBench.java against it: per-request overhead of /v2 inference over the same ONNX Runtime session called
# in-process (p50/p99 at concurrency 1 and 16), and batched vs unbatched throughput at concurrency 16 against ORT alone
# running full batches.
#
#   bash bench/serving.sh                   # from any directory
#   DURATION_S=5 WARMUP_S=2 LATENCY_REQUESTS=1000 bash bench/serving.sh   # a quick run
#
# Only 127.0.0.1 traffic. Every wait is bounded; the server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=serving.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5079}"
DB_NAME="${DB_NAME:-cairn_bench_serving}"
SERVER_XMX="${SERVER_XMX:-1g}"
PREDICTION_LOG="${PREDICTION_LOG:-true}"     # false: run the server without the prediction log
REQUIRE_IDLE="${REQUIRE_IDLE:-1}"          # 0: do not wait for an idle machine (smoke runs; numbers not comparable)
SERVER_ARGS="${SERVER_ARGS:-}"             # extra server arguments, e.g. --cairn.serving.concurrent-batches=1

export BASE_URL="http://127.0.0.1:${PORT}"
export DURATION_S="${DURATION_S:-15}" WARMUP_S="${WARMUP_S:-30}" CLIENTS="${CLIENTS:-16}"
export LATENCY_REQUESTS="${LATENCY_REQUESTS:-5000}" BATCH="${BATCH:-32}" DELAY_MS="${DELAY_MS:-2}"
export IN="${IN:-64}" HIDDEN="${HIDDEN:-256}" OUT="${OUT:-8}" ORT_BATCH_THREADS="${ORT_BATCH_THREADS:-$(nproc)}"
export BINARY="${BINARY:-0}"                # 1: send requests with the binary tensor data extension

if [[ "${REQUIRE_IDLE}" == "0" ]]; then
    IDLE_WAIT_S=0 # smoke runs: numbers not to be recorded
fi

start_work cairn-bench-serving

# ---- 1. build and class path ------------------------------------------------------------------------------------------
wait_for_idle
build_jar
log "locating ONNX Runtime, the ONNX protobuf classes and HdrHistogram"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/bench.classpath" \
    -DincludeArtifactIds=onnxruntime,tribuo-util-onnx,protobuf-java,HdrHistogram >"${WORK}/mvn-classpath.log" 2>&1 \
    || die "could not resolve the bench class path (log: ${WORK}/mvn-classpath.log)"
BENCH_CP="$(cat "${WORK}/bench.classpath")"
for jar in onnxruntime- tribuo-util-onnx- protobuf-java- HdrHistogram-; do
    tr ':' '\n' <<<"${BENCH_CP}" | grep -q "/${jar}[0-9]" || die "${jar%-} missing from the bench class path: ${BENCH_CP}"
done
log "bench class path: ${BENCH_CP}"

# ---- 2. fresh database and the server -------------------------------------------------------------------------------
recreate_database
# shellcheck disable=SC2086 # SERVER_ARGS is a list of arguments
start_server --cairn.artifacts.root="${WORK}/artifacts" --cairn.serving.prediction-log.enabled="${PREDICTION_LOG}" \
    ${SERVER_ARGS}

# ---- 3. load generator ----------------------------------------------------------------------------------------------
wait_for_idle
log "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
WRITES_BEFORE="$(other_db_writes)"
export SERVER_PID # the load generator attributes CPU time to the server
start_foreign_monitor
# The class path goes in the environment: ONNX Runtime 1.29's native start-up crashes (SIGSEGV) when the process
# command line is longer than about 4 KB, which a class path of ~/.m2 paths can reach.
export CLASSPATH="${BENCH_CP}"
run_load_generator -Xmx1g "${ROOT}/bench/ServingBench.java"
unset CLASSPATH
WRITES_AFTER="$(other_db_writes)"
report_foreign_monitor
report_other_db_writes "${WRITES_BEFORE}" "${WRITES_AFTER}"
log "done; results in ${WORK}/results.txt"
