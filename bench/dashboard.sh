#!/usr/bin/env bash
# Dashboard bench (issue #16): with 10k runs x 100 metric keys x 50 params in one experiment and one metric with 100k
# steps, every page's server time (p50/p95 over ROUNDS x REPEATS loads, sequential, on loopback), and in headless
# Chromium (Debian's, driven by Playwright) each page's first contentful paint and bytes transferred before the load
# event on a cold cache (a fresh browser context per load). Beside them, in the same run, the raw limits: a static
# file's round trip (the HTTP floor) and the runs table's own SQL over JDBC (the data floor).
#
#   bash bench/dashboard.sh                       # about 10 minutes on 2 cores (most of it loading 10k runs)
#   RUNS=2000 ROUNDS=1 bash bench/dashboard.sh    # quicker
#
# Only 127.0.0.1 traffic; the server is stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=dashboard.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

PORT="${PORT:-5096}"
DB_NAME="${DB_NAME:-cairn_bench_dashboard}"
SERVER_XMX="${SERVER_XMX:-1g}"
export RUNS="${RUNS:-10000}" METRICS="${METRICS:-100}" PARAMS="${PARAMS:-50}" HISTORY="${HISTORY:-100000}"
export ROUNDS="${ROUNDS:-3}" REPEATS="${REPEATS:-20}" LOADERS="${LOADERS:-4}"
export BASE_URL="http://127.0.0.1:${PORT}" CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
BENCH_TIMEOUT_S="${BENCH_TIMEOUT_S:-3600}"

start_work cairn-bench-dashboard
[[ -x "${CHROMIUM}" ]] || die "Chromium not found at ${CHROMIUM} (apt-get install chromium)"
wait_for_idle
build_jar
log "resolving the class path of Playwright and the PostgreSQL driver"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/bench.classpath" \
    -DincludeArtifactIds=playwright,driver,driver-bundle,gson,opentest4j,postgresql >"${WORK}/mvn-classpath.log" 2>&1 \
    || die "could not resolve the bench class path (log: ${WORK}/mvn-classpath.log)"
export CLASSPATH
CLASSPATH="$(cat "${WORK}/bench.classpath")"
recreate_database
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}" PG_USER PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# SERVER_EXTRA_ARGS: more server arguments, e.g. a connection-init-sql that loads auto_explain to see slow plans.
# shellcheck disable=SC2086
start_server --cairn.artifacts.root="${WORK}/artifacts" ${SERVER_EXTRA_ARGS:-}
MODE=load run_load_generator -Xmx1g "${ROOT}/bench/DashboardBench.java"
wait_for_idle
WRITES_BEFORE="$(other_db_writes)"
start_foreign_monitor
MODE=measure run_load_generator -Xmx1g "${ROOT}/bench/DashboardBench.java"
report_foreign_monitor
report_other_db_writes "${WRITES_BEFORE}" "$(other_db_writes)"
log "results: ${WORK}/results.txt"
