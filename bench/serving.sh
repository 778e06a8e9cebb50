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

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5079}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
DB_NAME="${DB_NAME:-cairn_bench_serving}"
SERVER_XMX="${SERVER_XMX:-1g}"
PREDICTION_LOG="${PREDICTION_LOG:-true}"     # false: run the server without the prediction log
SKIP_BUILD="${SKIP_BUILD:-0}"             # 1: use the jar already in target/
READY_TIMEOUT_S="${READY_TIMEOUT_S:-180}" # server start-up bound
BENCH_TIMEOUT_S="${BENCH_TIMEOUT_S:-1800}" # load generator bound
IDLE_WAIT_S="${IDLE_WAIT_S:-1800}"         # how long to wait for concurrent Maven test runs / CPU load to end
IDLE_CPU_PCT="${IDLE_CPU_PCT:-25}"         # "idle" means at most this much CPU busy (3 s sample)
REQUIRE_IDLE="${REQUIRE_IDLE:-1}"          # 0: do not wait for an idle machine (smoke runs; numbers not comparable)
KEEP_WORK="${KEEP_WORK:-1}"                # keep logs in the work directory

export BASE_URL="http://127.0.0.1:${PORT}"
export DURATION_S="${DURATION_S:-15}" WARMUP_S="${WARMUP_S:-5}" CLIENTS="${CLIENTS:-16}"
export LATENCY_REQUESTS="${LATENCY_REQUESTS:-5000}" BATCH="${BATCH:-32}" DELAY_MS="${DELAY_MS:-2}"
export IN="${IN:-64}" HIDDEN="${HIDDEN:-256}" OUT="${OUT:-8}" ORT_BATCH_THREADS="${ORT_BATCH_THREADS:-$(nproc)}"

if [[ "${PG_HOST}" != "127.0.0.1" && "${PG_HOST}" != "localhost" ]]; then
    echo "serving.sh: PG_HOST must be local (127.0.0.1), got ${PG_HOST}" >&2
    exit 2
fi

log() { printf '[serving.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cairn-serving-bench.XXXXXX")"
SERVER_PID=""
MONITOR_PID=""

cleanup() {
    local rc=$?
    if [[ -n "${MONITOR_PID}" ]]; then
        kill "${MONITOR_PID}" 2>/dev/null || true
        wait "${MONITOR_PID}" 2>/dev/null || true
    fi
    if [[ -n "${SERVER_PID}" ]] && kill -0 "${SERVER_PID}" 2>/dev/null; then
        log "stopping server (pid ${SERVER_PID})"
        kill "${SERVER_PID}" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "${SERVER_PID}" 2>/dev/null || break
            sleep 1
        done
        if kill -0 "${SERVER_PID}" 2>/dev/null; then
            log "server did not stop in 30 s; killing it"
            kill -9 "${SERVER_PID}" 2>/dev/null || true
        fi
        wait "${SERVER_PID}" 2>/dev/null || true
    fi
    rm -f "${WORK}/cairn.jar"
    if [[ "${KEEP_WORK}" == "1" ]]; then
        log "logs kept in ${WORK}"
    else
        rm -rf "${WORK}"
    fi
    exit "${rc}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Concurrent Maven JVMs (another engineer's `mvn verify`, possibly in another checkout) or any other CPU load skew both
# the build and the numbers: wait (bounded) until no Maven JVM runs and the CPU is mostly idle.
cpu_busy_pct() { # busy share of all CPUs over 3 s, from /proc/stat
    local a b
    read -r -a a < <(head -n 1 /proc/stat)
    sleep 3
    read -r -a b < <(head -n 1 /proc/stat)
    local total=0 idle i
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    echo $(((total - idle) * 100 / (total > 0 ? total : 1)))
}
wait_for_idle() {
    if [[ "${REQUIRE_IDLE}" == "0" ]]; then
        log "REQUIRE_IDLE=0: not waiting for an idle machine; load average $(cut -d' ' -f1-3 /proc/loadavg)"
        return
    fi
    local deadline=$((SECONDS + IDLE_WAIT_S)) said=0 busy
    while :; do
        if pgrep -f "${MAVEN_JVM}" >/dev/null; then
            busy="a Maven JVM (build or surefire/failsafe tests) is running"
        else
            local pct
            pct="$(cpu_busy_pct)"
            ((pct <= IDLE_CPU_PCT)) && break
            busy="CPU ${pct}% busy (limit IDLE_CPU_PCT=${IDLE_CPU_PCT})"
        fi
        if ((SECONDS >= deadline)); then
            die "machine not idle after ${IDLE_WAIT_S} s (${busy}); numbers would be skewed"
        fi
        if ((said == 0)); then
            log "waiting for the machine to be idle: ${busy} (up to ${IDLE_WAIT_S} s)"
            said=1
        fi
        sleep 5
    done
}

# Writes to other databases of the same PostgreSQL during the measurement (another bench, a test suite) share the
# CPU and the WAL with this one; they are reported so a skewed run can be recognised.
other_db_writes() {
    timeout 20 "${PSQL[@]}" -At -c "SELECT coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) FROM pg_stat_database
                          WHERE datname IS NOT NULL AND datname <> '${DB_NAME}'" 2>/dev/null || echo 0
}

# Samples every 2 s whether a Maven JVM (build or tests, e.g. from another checkout) runs beside the measurement.
MAVEN_JVM='surefire|failsafe|plexus-classworlds'
monitor_foreign() {
    while :; do
        if pgrep -f "${MAVEN_JVM}" >/dev/null; then echo "$(date +%T) maven"; else echo "$(date +%T) idle"; fi
        sleep 2
    done
}

# ---- 1. build ---------------------------------------------------------------------------------------------------------
cd "${ROOT}"
wait_for_idle
if [[ "${SKIP_BUILD}" != "1" ]]; then
    log "building the jar (./mvnw -q -DskipTests package)"
    ./mvnw -q -DskipTests package || die "build failed"
fi
JAR="$(ls -1 "${ROOT}"/target/cairn-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1 || true)"
[[ -n "${JAR}" && -f "${JAR}" ]] || die "no server jar in ${ROOT}/target"
# A private copy, so a concurrent `mvn clean` cannot pull the jar from under the running server.
cp "${JAR}" "${WORK}/cairn.jar"

log "locating ONNX Runtime and the ONNX protobuf classes"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/bench.classpath" \
    -DincludeArtifactIds=onnxruntime,tribuo-util-onnx,protobuf-java >"${WORK}/mvn-classpath.log" 2>&1 \
    || die "could not resolve the bench class path (log: ${WORK}/mvn-classpath.log)"
BENCH_CP="$(cat "${WORK}/bench.classpath")"
for jar in onnxruntime- tribuo-util-onnx- protobuf-java-; do
    tr ':' '\n' <<<"${BENCH_CP}" | grep -q "/${jar}[0-9]" || die "${jar%-} missing from the bench class path: ${BENCH_CP}"
done
log "bench class path: ${BENCH_CP}"

# ---- 2. fresh database ----------------------------------------------------------------------------------------------
log "recreating database ${DB_NAME}"
PSQL=(psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d postgres -v ON_ERROR_STOP=1 -qX)
timeout 60 "${PSQL[@]}" -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" -c "CREATE DATABASE ${DB_NAME}" \
    || die "could not recreate database ${DB_NAME} on ${PG_HOST}:${PG_PORT}"

# ---- 3. server ------------------------------------------------------------------------------------------------------
if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
    die "port ${PORT} is already in use; set PORT to a free one"
fi
log "starting server on port ${PORT} (-Xmx${SERVER_XMX}); log: ${WORK}/server.log"
mkdir -p "${WORK}/run"
(
    cd "${WORK}/run"
    exec java "-Xmx${SERVER_XMX}" -jar "${WORK}/cairn.jar" \
        --server.port="${PORT}" \
        --spring.datasource.url="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}?reWriteBatchedInserts=true" \
        --spring.datasource.username="${PG_USER}" \
        --cairn.artifacts.root="${WORK}/artifacts" \
        --cairn.serving.prediction-log.enabled="${PREDICTION_LOG}"
) >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!

READY_URL="${BASE_URL}/actuator/health/readiness"
deadline=$((SECONDS + READY_TIMEOUT_S))
until curl -fsS --max-time 2 "${READY_URL}" 2>/dev/null | grep -q '"status":"UP"'; do
    if ! kill -0 "${SERVER_PID}" 2>/dev/null; then
        tail -n 40 "${WORK}/server.log" >&2 || true
        SERVER_PID=""
        die "server exited during start-up (log above, full log ${WORK}/server.log)"
    fi
    if ((SECONDS >= deadline)); then
        tail -n 40 "${WORK}/server.log" >&2 || true
        die "server not ready (${READY_URL} not UP) after ${READY_TIMEOUT_S} s"
    fi
    sleep 1
done
log "server ready (pid ${SERVER_PID})"

# ---- 4. load generator ----------------------------------------------------------------------------------------------
wait_for_idle
log "machine idle; load average $(cut -d' ' -f1-3 /proc/loadavg)"
WRITES_BEFORE="$(other_db_writes)"
export SERVER_PID # the load generator attributes CPU time to the server
monitor_foreign >"${WORK}/foreign.log" 2>/dev/null &
MONITOR_PID=$!
set +e
# The class path goes in the environment: ONNX Runtime 1.29's native start-up crashes (SIGSEGV) when the process
# command line is longer than about 4 KB, which a class path of ~/.m2 paths can reach.
CLASSPATH="${BENCH_CP}" timeout --kill-after=10 "${BENCH_TIMEOUT_S}" \
    java -Xmx1g "${ROOT}/bench/ServingBench.java" 2>&1 | tee "${WORK}/results.txt"
rc=${PIPESTATUS[0]}
set -e
if ((rc == 124 || rc == 137)); then
    die "load generator exceeded BENCH_TIMEOUT_S=${BENCH_TIMEOUT_S} s"
elif ((rc != 0)); then
    die "load generator failed (exit ${rc}); server log: ${WORK}/server.log"
fi
WRITES_AFTER="$(other_db_writes)"
kill "${MONITOR_PID}" 2>/dev/null || true
wait "${MONITOR_PID}" 2>/dev/null || true
MONITOR_PID=""
SAMPLES="$(grep -c . "${WORK}/foreign.log" || true)"
FOREIGN="$(grep -c ' maven$' "${WORK}/foreign.log" || true)"
if ((FOREIGN > 0)); then
    log "WARNING: a Maven JVM ran beside the measurement in ${FOREIGN} of ${SAMPLES} samples" \
        "($(grep ' maven$' "${WORK}/foreign.log" | sed -n '1p;$p' | cut -d' ' -f1 | paste -sd- -)); the numbers are probably skewed"
else
    log "no Maven JVM ran beside the measurement (${SAMPLES} samples, every 2 s)"
fi
OTHER_WRITES=$((WRITES_AFTER - WRITES_BEFORE))
if ((OTHER_WRITES > 10000)); then
    log "WARNING: other databases on this PostgreSQL changed ${OTHER_WRITES} rows during the measurement;" \
        "the numbers are probably skewed by concurrent load"
else
    log "other databases on this PostgreSQL changed ${OTHER_WRITES} rows during the measurement"
fi
log "done; results in ${WORK}/results.txt"
