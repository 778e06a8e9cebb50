#!/usr/bin/env bash
# Feature-store benchmark (issue #4): builds the server jar, starts it on a fresh database and runs
# bench/FeaturesBench.java against it: ingestion of 10M feature rows vs raw COPY, a point-in-time training set of 1M
# entity rows vs a DuckDB ASOF JOIN of the same data, and online reads (1 x 10 and 100 x 10) at a fixed rate and at
# full speed vs redis-benchmark of the equivalent raw commands.
#
#   bash bench/features.sh                  # from any directory
#   FEATURE_ROWS=2000000 ENTITY_ROWS=200000 bash bench/features.sh   # a quicker run
#
# Only 127.0.0.1 traffic. Every wait is bounded; the server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5078}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
DB_NAME="${DB_NAME:-cairn_bench_features}"
SERVER_XMX="${SERVER_XMX:-1g}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DB="${REDIS_DB:-3}"                  # a Redis database of its own; keys are prefixed per view anyway
DUCKDB_VERSION="${DUCKDB_VERSION:-2.0.0.1}"
SKIP_BUILD="${SKIP_BUILD:-0}"             # 1: use the jar already in target/
READY_TIMEOUT_S="${READY_TIMEOUT_S:-180}" # server start-up bound
BENCH_TIMEOUT_S="${BENCH_TIMEOUT_S:-3600}" # load generator bound
IDLE_WAIT_S="${IDLE_WAIT_S:-1800}"         # how long to wait for concurrent Maven test runs to finish
KEEP_WORK="${KEEP_WORK:-1}"                # keep logs in the work directory

export BASE_URL="http://127.0.0.1:${PORT}"
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}"
export JDBC_USER="${PG_USER}"
export REDIS_HOST REDIS_PORT REDIS_DB
export FEATURE_ROWS="${FEATURE_ROWS:-10000000}" ENTITY_ROWS="${ENTITY_ROWS:-1000000}" DRIVERS="${DRIVERS:-100000}"
export CUSTOMERS="${CUSTOMERS:-250000}" TRAINING_RUNS="${TRAINING_RUNS:-2}" RATE_1="${RATE_1:-500}"
export RATE_100="${RATE_100:-100}" DURATION_S="${DURATION_S:-20}" WARMUP_S="${WARMUP_S:-5}" JIT_WARMUP_S="${JIT_WARMUP_S:-30}" CLIENTS="${CLIENTS:-8}"

if [[ "${PG_HOST}" != "127.0.0.1" && "${PG_HOST}" != "localhost" ]]; then
    echo "features.sh: PG_HOST must be local (127.0.0.1), got ${PG_HOST}" >&2
    exit 2
fi

log() { printf '[features.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cairn-features-bench.XXXXXX")"
# Generated CSV files (about 1.2 GB at the defaults) are kept between runs and regenerated only when sizes change.
export WORK_DIR="${WORK_DIR:-${TMPDIR:-/tmp}/cairn-features-data}"
SERVER_PID=""
MONITOR_PID=""

cleanup() {
    local rc=$?
    if [[ -n "${MONITOR_PID}" ]]; then
        kill "${MONITOR_PID}" 2>/dev/null || true
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
    # The bench's Redis database holds nothing but this run's online values.
    redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" --scan --pattern 'cairn:fs:*' 2>/dev/null \
        | xargs -r -n 500 redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" unlink >/dev/null 2>&1 || true
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

# Concurrent Maven test JVMs (another engineer's `mvn verify`) skew both the build and the numbers: wait for them.
wait_for_idle() {
    ((IDLE_WAIT_S > 0)) || return 0
    local deadline=$((SECONDS + IDLE_WAIT_S)) said=0
    while pgrep -f 'surefire|failsafe' >/dev/null; do
        if ((SECONDS >= deadline)); then
            die "Maven test JVMs (surefire/failsafe) still running after ${IDLE_WAIT_S} s; numbers would be skewed"
        fi
        if ((said == 0)); then
            log "waiting for concurrent Maven test runs (surefire/failsafe) to finish (up to ${IDLE_WAIT_S} s)"
            said=1
        fi
        sleep 5
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

log "locating the PostgreSQL JDBC driver"
PGJDBC=""
if ./mvnw -q dependency:build-classpath -Dmdep.outputFile="${WORK}/pgjdbc.classpath" \
        -DincludeGroupIds=org.postgresql -DincludeArtifactIds=postgresql >"${WORK}/mvn-classpath.log" 2>&1; then
    PGJDBC="$(tr ':' '\n' <"${WORK}/pgjdbc.classpath" | grep -m1 'postgresql-.*\.jar$' || true)"
fi
if [[ -z "${PGJDBC}" || ! -f "${PGJDBC}" ]]; then
    PGJDBC="$(find "${HOME}/.m2/repository/org/postgresql/postgresql" -name 'postgresql-*.jar' 2>/dev/null \
        | grep -v -e sources -e javadoc | sort -V | tail -n 1 || true)"
fi
[[ -n "${PGJDBC}" && -f "${PGJDBC}" ]] || die "PostgreSQL JDBC driver jar not found (dependency:build-classpath and ~/.m2)"
log "pgjdbc: ${PGJDBC}"

# DuckDB is a bench-only dependency: fetched into the local Maven repository, never part of the application.
DUCKDB="${HOME}/.m2/repository/org/duckdb/duckdb_jdbc/${DUCKDB_VERSION}/duckdb_jdbc-${DUCKDB_VERSION}.jar"
if [[ ! -f "${DUCKDB}" ]]; then
    log "fetching org.duckdb:duckdb_jdbc:${DUCKDB_VERSION} (./mvnw dependency:get)"
    ./mvnw -q dependency:get -Dartifact="org.duckdb:duckdb_jdbc:${DUCKDB_VERSION}" >"${WORK}/mvn-duckdb.log" 2>&1 \
        || die "could not fetch DuckDB JDBC (see ${WORK}/mvn-duckdb.log)"
fi
[[ -f "${DUCKDB}" ]] || die "DuckDB JDBC jar not found at ${DUCKDB}"
command -v redis-benchmark >/dev/null || die "redis-benchmark not found (install redis-tools)"
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install wrk), the C load generator for the online closed-loop runs"
    apt-get install -y -q wrk >"${WORK}/apt-wrk.log" 2>&1 || die "wrk not found and apt-get install wrk failed (see ${WORK}/apt-wrk.log)"
fi
redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" ping >/dev/null 2>&1 || die "Redis not reachable on ${REDIS_HOST}:${REDIS_PORT}"

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
        --spring.data.redis.host="${REDIS_HOST}" --spring.data.redis.port="${REDIS_PORT}" \
        --spring.data.redis.database="${REDIS_DB}" \
        --cairn.artifacts.root="${WORK}/artifacts"
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
log "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
# Samples every 2 s whether a Maven JVM (another checkout's build or tests) runs beside the measurement.
(while :; do
    if pgrep -f 'surefire|failsafe|plexus-classworlds' >/dev/null; then echo "$(date +%T) maven"; else echo "$(date +%T) idle"; fi
    sleep 2
done) >"${WORK}/foreign.log" 2>/dev/null &
MONITOR_PID=$!
set +e
timeout --kill-after=10 "${BENCH_TIMEOUT_S}" \
    java -Xmx2g -cp "${PGJDBC}:${DUCKDB}" "${ROOT}/bench/FeaturesBench.java" 2>&1 | tee "${WORK}/results.txt"
rc=${PIPESTATUS[0]}
set -e
if ((rc == 124 || rc == 137)); then
    die "load generator exceeded BENCH_TIMEOUT_S=${BENCH_TIMEOUT_S} s"
elif ((rc != 0)); then
    die "load generator failed (exit ${rc}); server log: ${WORK}/server.log"
fi
kill "${MONITOR_PID}" 2>/dev/null || true
wait "${MONITOR_PID}" 2>/dev/null || true
FOREIGN="$(grep -c ' maven$' "${WORK}/foreign.log" || true)"
if ((FOREIGN > 0)); then
    log "WARNING: a Maven JVM ran beside the measurement in ${FOREIGN} of $(grep -c . "${WORK}/foreign.log") samples" \
        "($(grep ' maven$' "${WORK}/foreign.log" | sed -n '1p;$p' | cut -d' ' -f1 | paste -sd- -)); the numbers are probably skewed"
else
    log "no Maven JVM ran beside the measurement ($(grep -c . "${WORK}/foreign.log") samples, every 2 s)"
fi
log "load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
log "done; results in ${WORK}/results.txt"
