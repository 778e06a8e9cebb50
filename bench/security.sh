#!/usr/bin/env bash
# Security benchmark (session 7): what authentication costs on the hot paths. Builds the server jar once and starts
# two servers from it against the same fresh database, Redis database and artifact root: one with security off, one
# with security on (first admin from the command line). bench/SecurityBench.java sets everything up through the
# secured server (entity, online feature view, 100 pushed entities, a normal user and its API token, a small ONNX
# model deployed), then measures in alternating paired rounds, with wrk closed loops:
#   - one-entity POST /get-online-features on each server's feature-server port (Netty),
#   - one-row POST /v2/models/<name>/infer on each server's main port,
# off and on in ABBA order within each round, the secured server always with "Authorization: Bearer <token>";
# redis-benchmark's raw HMGET rate in the same rounds.
# Then the server with security off is stopped and a third one started with cairn.security.credential-cache-ttl=0s,
# and a login (HTTP Basic: one BCrypt check) and a token check (SHA-256 + one PostgreSQL lookup) are timed against the
# same requests with remembered credentials, beside the same checks run in-process.
#
#   bash bench/security.sh                               # from any directory; about 12 minutes on 2 cores
#   ROUNDS=3 ROUND_S=4 WARMUP_S=10 bash bench/security.sh   # a quicker run
#
# Only 127.0.0.1 traffic. Every wait is bounded; every server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=security.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT_OFF="${PORT_OFF:-5081}"             # security off: main port
FS_PORT_OFF="${FS_PORT_OFF:-5082}"       # security off: feature-server port
PORT_ON="${PORT_ON:-5083}"               # security on
FS_PORT_ON="${FS_PORT_ON:-5084}"
PORT_NOCACHE="${PORT_NOCACHE:-5085}"     # security on, credentials never remembered (credential-cache-ttl=0s)
FS_PORT_NOCACHE="${FS_PORT_NOCACHE:-5086}"
DB_NAME="${DB_NAME:-cairn_bench_security}"
SERVER_XMX="${SERVER_XMX:-768m}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DB="${REDIS_DB:-5}"                # a Redis database of its own; its cairn:fs:* keys are removed on exit
SERVER_ARGS="${SERVER_ARGS:-}"           # extra arguments for every server
JFR="${JFR:-0}"                          # 1: each server records a JFR profile (${WORK}/<server>.jfr, written on exit)

export ADMIN_USER="${ADMIN_USER:-bench-admin}"
# A fresh random admin password each run: the servers only ever listen on 127.0.0.1, but no fixed secret in the repo.
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-bench-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
export OFF_URL="http://127.0.0.1:${PORT_OFF}" OFF_FS_URL="http://127.0.0.1:${FS_PORT_OFF}"
export ON_URL="http://127.0.0.1:${PORT_ON}" ON_FS_URL="http://127.0.0.1:${FS_PORT_ON}"
export NOCACHE_URL="http://127.0.0.1:${PORT_NOCACHE}"
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}" JDBC_USER="${PG_USER}"
export REDIS_HOST REDIS_PORT REDIS_DB
export ROUNDS="${ROUNDS:-5}" ROUND_S="${ROUND_S:-6}" WARMUP_S="${WARMUP_S:-20}" CLIENTS="${CLIENTS:-8}"
export LOGIN_ROUNDS="${LOGIN_ROUNDS:-5}" LOGIN_ROUND_S="${LOGIN_ROUND_S:-5}" LOGIN_WARMUP_S="${LOGIN_WARMUP_S:-15}"

start_work cairn-bench-security
export STATE_FILE="${WORK}/state.properties"
cleanup_extra() {
    redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" --scan --pattern 'cairn:fs:*' 2>/dev/null \
        | xargs -r -n 500 redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" -n "${REDIS_DB}" unlink >/dev/null 2>&1 || true
}

# ---- 1. build, class path and tools -----------------------------------------------------------------------------------
wait_for_idle
build_jar
log "locating the bench class path (ONNX protobuf classes, spring-security-crypto, pgjdbc)"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/bench.classpath" \
    -DincludeArtifactIds=tribuo-util-onnx,protobuf-java,spring-security-crypto,commons-logging,postgresql \
    >"${WORK}/mvn-classpath.log" 2>&1 || die "could not resolve the bench class path (log: ${WORK}/mvn-classpath.log)"
BENCH_CP="$(cat "${WORK}/bench.classpath")"
for jar in tribuo-util-onnx- protobuf-java- spring-security-crypto- commons-logging- postgresql-; do
    tr ':' '\n' <<<"${BENCH_CP}" | grep -q "/${jar}[0-9]" || die "${jar%-} missing from the bench class path: ${BENCH_CP}"
done
command -v redis-benchmark >/dev/null || die "redis-benchmark not found (install redis-tools)"
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install wrk), the C load generator for the closed-loop runs"
    apt-get install -y -q wrk >"${WORK}/apt-wrk.log" 2>&1 || die "wrk not found and apt-get install wrk failed (see ${WORK}/apt-wrk.log)"
fi
redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" ping >/dev/null 2>&1 || die "Redis not reachable on ${REDIS_HOST}:${REDIS_PORT}"
cleanup_extra

# ---- 2. fresh database and two servers from the same jar --------------------------------------------------------------
recreate_database
COMMON_ARGS=(--spring.data.redis.host="${REDIS_HOST}" --spring.data.redis.port="${REDIS_PORT}"
    --spring.data.redis.database="${REDIS_DB}" --cairn.artifacts.root="${WORK}/artifacts")
ON_ARGS=(--cairn.security.enabled=true --cairn.security.admin.username="${ADMIN_USER}"
    --cairn.security.admin.password="${ADMIN_PASSWORD}")
jfr() { # server name -> JVM options
    [[ "${JFR}" == "1" ]] && echo "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=${WORK}/$1.jfr"
    return 0
}
# The secured server first: it creates the first admin; the other then starts on the migrated schema.
# shellcheck disable=SC2086 # SERVER_ARGS is a list of arguments
SERVER_NAME=server-on SERVER_JVM_ARGS="$(jfr server-on)" PORT="${PORT_ON}" FEATURE_SERVER_PORT="${FS_PORT_ON}" \
    start_server "${COMMON_ARGS[@]}" "${ON_ARGS[@]}" ${SERVER_ARGS}
export ON_PID="${SERVER_PID}"
# shellcheck disable=SC2086
SERVER_NAME=server-off SERVER_JVM_ARGS="$(jfr server-off)" PORT="${PORT_OFF}" FEATURE_SERVER_PORT="${FS_PORT_OFF}" \
    start_server "${COMMON_ARGS[@]}" --cairn.security.enabled=false ${SERVER_ARGS}
export OFF_PID="${SERVER_PID}"

export CLASSPATH="${BENCH_CP}"

# ---- 3. security on vs off: online reads and one-row inference in paired rounds ---------------------------------------
wait_for_idle
log "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
WRITES_BEFORE="$(other_db_writes)"
start_foreign_monitor
run_load_generator -Xmx512m "${ROOT}/bench/SecurityBench.java" onoff

# ---- 4. the cost of a login and of a token check ----------------------------------------------------------------------
stop_server "${OFF_PID}" server-off
# shellcheck disable=SC2086
SERVER_NAME=server-nocache SERVER_JVM_ARGS="$(jfr server-nocache)" PORT="${PORT_NOCACHE}" FEATURE_SERVER_PORT="${FS_PORT_NOCACHE}" \
    start_server "${COMMON_ARGS[@]}" "${ON_ARGS[@]}" --cairn.security.credential-cache-ttl=0s ${SERVER_ARGS}
export NOCACHE_PID="${SERVER_PID}"
run_load_generator -Xmx512m "${ROOT}/bench/SecurityBench.java" credentials
unset CLASSPATH

WRITES_AFTER="$(other_db_writes)"
report_foreign_monitor
report_other_db_writes "${WRITES_BEFORE}" "${WRITES_AFTER}"
log "load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
log "done; results in ${WORK}/results.txt"
