#!/usr/bin/env bash
# Experiment-tracking benchmark (issue #2): builds the server jar, starts it on a fresh database and runs
# bench/TrackingBench.java against it (log-batch throughput vs raw COPY, search-runs latency over 10k runs).
#
#   bash bench/tracking.sh                  # from any directory
#   DURATION_S=60 CLIENTS=8 bash bench/tracking.sh
#
# Only 127.0.0.1 traffic. Every wait is bounded; the server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=tracking.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5077}"
DB_NAME="${DB_NAME:-cairn_bench}"
SERVER_XMX="${SERVER_XMX:-1g}"

export BASE_URL="http://127.0.0.1:${PORT}"
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}"
export JDBC_USER="${PG_USER}"
export DURATION_S="${DURATION_S:-20}" WARMUP_S="${WARMUP_S:-10}" CLIENTS="${CLIENTS:-4}" RUNS="${RUNS:-10000}"
export CREATE_THREADS="${CREATE_THREADS:-8}" SEARCH_WARMUP="${SEARCH_WARMUP:-30}"
export SEARCH_REQUESTS="${SEARCH_REQUESTS:-300}" SEARCH_LARGE_REQUESTS="${SEARCH_LARGE_REQUESTS:-300}"
export BATCH_KEYS="${BATCH_KEYS:-10}" BATCH_STEPS="${BATCH_STEPS:-100}" ANALYZE="${ANALYZE:-1}"

start_work cairn-bench

# ---- 1. build -------------------------------------------------------------------------------------------------------
wait_for_idle
build_jar
find_pgjdbc
find_hdrhistogram

# ---- 2. fresh database and the server -------------------------------------------------------------------------------
recreate_database
# SERVER_EXTRA_ARGS: more server arguments, e.g. --cairn.database.analyze-after-writes=0 to see searches planned on
# statistics autovacuum has not refreshed yet (with ANALYZE=0).
# shellcheck disable=SC2086
start_server --cairn.artifacts.root="${WORK}/artifacts" ${SERVER_EXTRA_ARGS:-}

# ---- 3. load generator ----------------------------------------------------------------------------------------------
wait_for_idle
log "machine idle; load average $(cut -d' ' -f1-3 /proc/loadavg)"
WRITES_BEFORE="$(other_db_writes)"
export SERVER_PID # the load generator attributes CPU time to the server
start_foreign_monitor
run_load_generator -Xmx512m -cp "${PGJDBC}:${HDRHISTOGRAM}" "${ROOT}/bench/TrackingBench.java"
WRITES_AFTER="$(other_db_writes)"
report_foreign_monitor
report_other_db_writes "${WRITES_BEFORE}" "${WRITES_AFTER}"
log "done; results in ${WORK}/results.txt"
