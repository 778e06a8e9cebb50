#!/usr/bin/env bash
# Feature-store benchmark (issue #4): builds the server jar, starts it on a fresh database and runs
# bench/FeaturesBench.java against it: ingestion of 10M feature rows vs raw COPY, a point-in-time training set of 1M
# entity rows vs a DuckDB ASOF JOIN of the same data, and online reads (1 x 10 and 100 x 10) at a fixed rate and at
# full speed, on the main port and on the feature server's own port, vs redis-benchmark of the equivalent raw commands.
#
#   bash bench/features.sh                  # from any directory
#   FEATURE_ROWS=2000000 ENTITY_ROWS=200000 bash bench/features.sh   # a quicker run
#
# Only 127.0.0.1 traffic. Every wait is bounded; the server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=features.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5078}"
FEATURE_SERVER_PORT="${FEATURE_SERVER_PORT:-5079}"   # the feature server's own port (Netty), beside the main one
DB_NAME="${DB_NAME:-cairn_bench_features}"
SERVER_XMX="${SERVER_XMX:-1g}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DB="${REDIS_DB:-3}"                  # a Redis database of its own; keys are prefixed per view anyway
DUCKDB_VERSION="${DUCKDB_VERSION:-2.0.0.1}"
SERVER_ARGS="${SERVER_ARGS:-}"             # extra server arguments, e.g. --cairn.features.server.io-threads=1

export BASE_URL="http://127.0.0.1:${PORT}"
export FEATURE_SERVER_URL="http://127.0.0.1:${FEATURE_SERVER_PORT}"
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}"
export JDBC_USER="${PG_USER}"
export REDIS_HOST REDIS_PORT REDIS_DB
export FEATURE_ROWS="${FEATURE_ROWS:-10000000}" ENTITY_ROWS="${ENTITY_ROWS:-1000000}" DRIVERS="${DRIVERS:-100000}"
export CUSTOMERS="${CUSTOMERS:-250000}" TRAINING_RUNS="${TRAINING_RUNS:-2}" RATE_1="${RATE_1:-500}"
export RATE_100="${RATE_100:-100}" DURATION_S="${DURATION_S:-20}" WARMUP_S="${WARMUP_S:-5}" JIT_WARMUP_S="${JIT_WARMUP_S:-30}" CLIENTS="${CLIENTS:-8}"
export ROUNDS="${ROUNDS:-5}" ROUND_S="${ROUND_S:-10}" ONLINE_TARGETS="${ONLINE_TARGETS:-main,feature-server}"

start_work cairn-features-bench
# Generated CSV files (about 1 GB at the defaults) are kept between runs and regenerated only when sizes change.
export WORK_DIR="${WORK_DIR:-${TMPDIR:-/tmp}/cairn-features-data}"
cleanup_extra() {
    # The bench's Redis database holds nothing but this run's online values.
    redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" --scan --pattern 'cairn:fs:*' 2>/dev/null \
        | xargs -r -n 500 redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" unlink >/dev/null 2>&1 || true
}

# ---- 1. build and tools -----------------------------------------------------------------------------------------------
wait_for_idle
build_jar
find_pgjdbc
find_hdrhistogram

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

# ---- 2. fresh database and the server -------------------------------------------------------------------------------
recreate_database
port_free "${FEATURE_SERVER_PORT}" || die "port ${FEATURE_SERVER_PORT} is already in use; set FEATURE_SERVER_PORT to a free one"
# shellcheck disable=SC2086 # SERVER_ARGS is a list of arguments
start_server --spring.data.redis.host="${REDIS_HOST}" --spring.data.redis.port="${REDIS_PORT}" \
    --spring.data.redis.database="${REDIS_DB}" --cairn.artifacts.root="${WORK}/artifacts" ${SERVER_ARGS}

# ---- 3. load generator ----------------------------------------------------------------------------------------------
wait_for_idle
log "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
start_foreign_monitor
run_load_generator -Xmx2g -cp "${PGJDBC}:${DUCKDB}:${HDRHISTOGRAM}" "${ROOT}/bench/FeaturesBench.java"
report_foreign_monitor
log "load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
log "done; results in ${WORK}/results.txt"
