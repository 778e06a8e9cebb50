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
BENCH=artifacts.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

# ---- parameters (environment) ---------------------------------------------------------------------------------------
PORT="${PORT:-5078}"
S3_PORT="${S3_PORT:-18078}"
DB_NAME="${DB_NAME:-cairn_bench_artifacts}"
SERVER_XMX="${SERVER_XMX:-512m}"
S3PROXY_XMX="${S3PROXY_XMX:-512m}"

export BASE_URL="http://127.0.0.1:${PORT}"
export S3_ENDPOINT="http://127.0.0.1:${S3_PORT}"
export S3_BUCKET="${S3_BUCKET:-cairn-bench}"
# The server finds these through the AWS SDK's default credential chain, as a deployment would.
export AWS_ACCESS_KEY_ID="bench-access-key" AWS_SECRET_ACCESS_KEY="bench-secret-key" AWS_REGION="us-east-1"
export SIZES_MB="${SIZES_MB:-64,256}" REPEATS="${REPEATS:-5}" WARMUPS="${WARMUPS:-2}"

start_work cairn-bench-artifacts
S3PROXY_PID=""
cleanup_extra() {
    stop_process "${S3PROXY_PID}" S3Proxy
    rm -rf "${WORK}/s3" # stored objects never stay
}

# ---- 1. build and classpath -----------------------------------------------------------------------------------------
wait_for_idle
build_jar

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
recreate_database
log "artifacts in s3://${S3_BUCKET}/proxy"
start_server --cairn.artifacts.root="s3://${S3_BUCKET}/proxy" --cairn.artifacts.s3.endpoint="${S3_ENDPOINT}" \
    --cairn.artifacts.s3.path-style-access=true

# ---- 4. load generator ----------------------------------------------------------------------------------------------
wait_for_idle
log "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
start_foreign_monitor
run_load_generator -Xmx256m -cp "${CP}" "${ROOT}/bench/ArtifactsBench.java"
report_foreign_monitor
log "done; results in ${WORK}/results.txt"
