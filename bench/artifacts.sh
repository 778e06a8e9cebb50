#!/usr/bin/env bash
# Artifact proxy benchmark (issue #3): builds the server jar, starts S3Proxy (filesystem backend) and the server pointed
# at it, then runs bench/ArtifactsBench.java: upload and download throughput of 64 and 256 MiB files through the proxy
# vs direct AWS SDK calls to the same S3Proxy, in the same run.
#
#   bash bench/artifacts.sh                  # from any directory
#   SIZES_MB=16,64 REPEATS=3 bash bench/artifacts.sh
#
# Only 127.0.0.1 traffic. Every wait is bounded; server and S3Proxy are always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5078}"
S3_PORT="${S3_PORT:-18078}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
DB_NAME="${DB_NAME:-cairn_bench_artifacts}"
SERVER_XMX="${SERVER_XMX:-512m}"
S3PROXY_XMX="${S3PROXY_XMX:-512m}"
SKIP_BUILD="${SKIP_BUILD:-0}"             # 1: use the jar already in target/
READY_TIMEOUT_S="${READY_TIMEOUT_S:-180}" # server / S3Proxy start-up bound
BENCH_TIMEOUT_S="${BENCH_TIMEOUT_S:-1800}" # load generator bound
IDLE_WAIT_S="${IDLE_WAIT_S:-1800}"         # how long to wait for concurrent Maven test runs to finish
KEEP_WORK="${KEEP_WORK:-1}"                # keep logs in the work directory (stored objects are always removed)

export BASE_URL="http://127.0.0.1:${PORT}"
export S3_ENDPOINT="http://127.0.0.1:${S3_PORT}"
export S3_BUCKET="${S3_BUCKET:-cairn-bench}"
# The server finds these through the AWS SDK's default credential chain, as a deployment would.
export AWS_ACCESS_KEY_ID="bench-access-key" AWS_SECRET_ACCESS_KEY="bench-secret-key" AWS_REGION="us-east-1"
export SIZES_MB="${SIZES_MB:-64,256}" REPEATS="${REPEATS:-5}" WARMUPS="${WARMUPS:-2}"

if [[ "${PG_HOST}" != "127.0.0.1" && "${PG_HOST}" != "localhost" ]]; then
    echo "artifacts.sh: PG_HOST must be local (127.0.0.1), got ${PG_HOST}" >&2
    exit 2
fi

log() { printf '[artifacts.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-artifacts.XXXXXX")"
SERVER_PID=""
S3PROXY_PID=""

stop() { # pid name
    local pid="$1" name="$2"
    if [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null; then
        log "stopping ${name} (pid ${pid})"
        kill "${pid}" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "${pid}" 2>/dev/null || break
            sleep 1
        done
        if kill -0 "${pid}" 2>/dev/null; then
            log "${name} did not stop in 30 s; killing it"
            kill -9 "${pid}" 2>/dev/null || true
        fi
        wait "${pid}" 2>/dev/null || true
    fi
}

cleanup() {
    local rc=$?
    stop "${SERVER_PID}" server
    stop "${S3PROXY_PID}" S3Proxy
    rm -rf "${WORK}/s3" "${WORK}/cairn.jar"
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

# Concurrent Maven runs (another engineer's build or `mvn verify`) skew both the build and the numbers: wait for
# them. Throughput here is CPU-bound on a small machine, so any Maven JVM counts, not only test JVMs.
wait_for_idle() {
    local deadline=$((SECONDS + IDLE_WAIT_S)) said=0
    while pgrep -f 'surefire|failsafe|plexus-classworlds' >/dev/null; do
        if ((SECONDS >= deadline)); then
            die "Maven JVMs still running after ${IDLE_WAIT_S} s; numbers would be skewed"
        fi
        if ((said == 0)); then
            log "waiting for concurrent Maven runs to finish (up to ${IDLE_WAIT_S} s)"
            said=1
        fi
        sleep 5
    done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- 1. build and classpath -----------------------------------------------------------------------------------------
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

# S3Proxy and the AWS SDK for the load generator both come from the test classpath (S3Proxy is a test dependency).
log "resolving the test classpath (S3Proxy, AWS SDK)"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/test.classpath" \
    >"${WORK}/mvn-classpath.log" 2>&1 || die "dependency:build-classpath failed (log: ${WORK}/mvn-classpath.log)"
CP="$(cat "${WORK}/test.classpath")"
grep -q 's3proxy-' <<<"${CP}" || die "S3Proxy is not on the test classpath"

# ---- 2. S3Proxy -----------------------------------------------------------------------------------------------------
port_free "${S3_PORT}" || die "port ${S3_PORT} is already in use; set S3_PORT to a free one"
mkdir -p "${WORK}/s3/${S3_BUCKET}" # the filesystem backend's buckets are directories
cat >"${WORK}/s3proxy.conf" <<EOF
s3proxy.endpoint=${S3_ENDPOINT}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${AWS_ACCESS_KEY_ID}
s3proxy.credential=${AWS_SECRET_ACCESS_KEY}
jclouds.provider=filesystem
jclouds.filesystem.basedir=${WORK}/s3
EOF
log "starting S3Proxy on ${S3_ENDPOINT} (-Xmx${S3PROXY_XMX}, filesystem backend in ${WORK}/s3); log: ${WORK}/s3proxy.log"
java "-Xmx${S3PROXY_XMX}" -cp "${CP}" org.gaul.s3proxy.Main --properties "${WORK}/s3proxy.conf" \
    >"${WORK}/s3proxy.log" 2>&1 &
S3PROXY_PID=$!
deadline=$((SECONDS + READY_TIMEOUT_S))
# An unsigned request gets 403 from a running S3Proxy: any HTTP answer means it is up.
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${S3_ENDPOINT}/" || true)" =~ ^[1-5][0-9][0-9]$ ]]; do
    kill -0 "${S3PROXY_PID}" 2>/dev/null || { tail -n 40 "${WORK}/s3proxy.log" >&2; S3PROXY_PID=""; die "S3Proxy exited"; }
    ((SECONDS < deadline)) || die "S3Proxy not answering after ${READY_TIMEOUT_S} s"
    sleep 1
done
log "S3Proxy ready (pid ${S3PROXY_PID})"

# ---- 3. fresh database and the server ------------------------------------------------------------------------------
log "recreating database ${DB_NAME}"
PSQL=(psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d postgres -v ON_ERROR_STOP=1 -qX)
timeout 60 "${PSQL[@]}" -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" -c "CREATE DATABASE ${DB_NAME}" \
    || die "could not recreate database ${DB_NAME} on ${PG_HOST}:${PG_PORT}"

port_free "${PORT}" || die "port ${PORT} is already in use; set PORT to a free one"
log "starting server on port ${PORT} (-Xmx${SERVER_XMX}), artifacts in s3://${S3_BUCKET}/proxy; log: ${WORK}/server.log"
mkdir -p "${WORK}/run"
(
    cd "${WORK}/run"
    exec java "-Xmx${SERVER_XMX}" -jar "${WORK}/cairn.jar" \
        --server.port="${PORT}" \
        --spring.datasource.url="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}?reWriteBatchedInserts=true" \
        --spring.datasource.username="${PG_USER}" \
        --cairn.artifacts.root="s3://${S3_BUCKET}/proxy" \
        --cairn.artifacts.s3.endpoint="${S3_ENDPOINT}" \
        --cairn.artifacts.s3.path-style-access=true
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
set +e
timeout --kill-after=10 "${BENCH_TIMEOUT_S}" \
    java -Xmx256m -cp "${CP}" "${ROOT}/bench/ArtifactsBench.java" 2>&1 | tee "${WORK}/results.txt"
rc=${PIPESTATUS[0]}
set -e
if ((rc == 124 || rc == 137)); then
    die "load generator exceeded BENCH_TIMEOUT_S=${BENCH_TIMEOUT_S} s"
elif ((rc != 0)); then
    die "load generator failed (exit ${rc}); server log: ${WORK}/server.log, S3Proxy log: ${WORK}/s3proxy.log"
fi
log "done; results in ${WORK}/results.txt"
