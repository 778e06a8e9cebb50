#!/usr/bin/env bash
# Monitoring bench (issue #15), two figures:
#  1. inference throughput with monitoring on against off: the same server jar, database and deployment (a tabular
#     binary classifier over 20 features, with its monitoring tags), restarted with cairn.monitoring.enabled true and
#     false in alternating rounds, CLIENTS concurrent clients sending V2 requests of 1 row, then of 32 rows;
#  2. drift for one day of ~1M logged predictions x 20 features from sketches: one sketch bucket's share of the day
#     (BUCKET_ROWS rows, feature 0 shifted) goes through the real serving path, the replica's bucket row is then
#     copied to the 95 other 15-minute buckets of the day with SQL (serving a million predictions first would take
#     longer than the bench; the read merges 96 rows of the same size either way), and GET /drift over the day is
#     timed beside reading the same sketch rows' bytes over JDBC.
#
#   bash bench/monitoring.sh                 # about 12 minutes on 2 cores
#   ROUNDS=1 bash bench/monitoring.sh        # quicker
#
# Only 127.0.0.1 traffic; every server is stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=monitoring.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

PORT="${PORT:-5093}"
DB_NAME="${DB_NAME:-cairn_bench_monitoring}"
SERVER_XMX="${SERVER_XMX:-1g}"
ROUNDS="${ROUNDS:-3}"
export CLIENTS="${CLIENTS:-8}" WARMUP_S="${WARMUP_S:-5}" DURATION_S="${DURATION_S:-20}"
export REFERENCE_ROWS="${REFERENCE_ROWS:-100000}" BUCKET_ROWS="${BUCKET_ROWS:-10417}"
export BASE_URL="http://127.0.0.1:${PORT}"

start_work cairn-bench-monitoring
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install wrk), the C load generator for the throughput rounds"
    apt-get install -y -q wrk >"${WORK}/apt-wrk.log" 2>&1 || die "wrk not found and apt-get install wrk failed (see ${WORK}/apt-wrk.log)"
fi
wait_for_idle
build_jar
log "locating the ONNX protobuf classes and the PostgreSQL driver"
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${WORK}/bench.classpath" \
    -DincludeArtifactIds=tribuo-util-onnx,protobuf-java,postgresql >"${WORK}/mvn-classpath.log" 2>&1 \
    || die "could not resolve the bench class path (log: ${WORK}/mvn-classpath.log)"
export CLASSPATH
CLASSPATH="$(cat "${WORK}/bench.classpath")"
recreate_database
export JDBC_URL="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}" PG_USER

SERVER_ARGS=(--cairn.artifacts.root="${WORK}/artifacts" --cairn.monitoring.sketch-flush=1s)

SERVER_NAME=setup start_server "${SERVER_ARGS[@]}"
MODE=setup run_load_generator -Xmx1g "${ROOT}/bench/MonitoringBench.java"
stop_server "${SERVER_PID}" setup

WRITES_BEFORE="$(other_db_writes)"
start_foreign_monitor
for rows in 1 32; do
    MODE=body ROWS="${rows}" BODY_FILE="${WORK}/body-${rows}.json" java "${ROOT}/bench/MonitoringBench.java"
    cat >"${WORK}/post-${rows}.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("${WORK}/body-${rows}.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
done
for rows in ${ROWS_LIST:-1 32}; do
    for round in $(seq 1 "${ROUNDS}"); do
        for monitoring in true false; do
            SERVER_NAME="load-${rows}-${round}-${monitoring}" start_server "${SERVER_ARGS[@]}" \
                --cairn.monitoring.enabled="${monitoring}"
            wait_for_idle
            wrk -t2 -c"${CLIENTS}" -d"${WARMUP_S}s" -s "${WORK}/post-${rows}.lua" \
                "${BASE_URL}/v2/models/mon-bench/infer" >"${WORK}/warmup.txt" 2>&1
            wrk -t2 -c"${CLIENTS}" -d"${DURATION_S}s" --latency -s "${WORK}/post-${rows}.lua" \
                "${BASE_URL}/v2/models/mon-bench/infer" >"${WORK}/wrk.txt" 2>&1
            ! grep -q "Non-2xx" "${WORK}/wrk.txt" || die "non-200 answers: $(cat "${WORK}/wrk.txt")"
            rate="$(awk '/Requests\/sec/ {print $2}' "${WORK}/wrk.txt")"
            p99="$(awk '$1 == "99%" {print $2}' "${WORK}/wrk.txt")"
            echo "RESULT load monitoring=${monitoring} rows=${rows} clients=${CLIENTS} requests/s=${rate} p99=${p99}" \
                | tee -a "${WORK}/results.txt"
            sleep 2 # the prediction log and the sketches catch up before the server stops
            stop_server "${SERVER_PID}" "load-${rows}-${round}-${monitoring}"
        done
    done
done

if [[ "${DRIFT:-1}" == "0" ]]; then
    report_foreign_monitor
    grep "RESULT load" "${WORK}/results.txt" >&2
    exit 0
fi
# The throughput rounds sent the same few bodies thousands of times: their sketches are not a day's traffic.
psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d "${DB_NAME}" -v ON_ERROR_STOP=1 -qX \
    -c "DELETE FROM drift_sketches WHERE deployment = 'mon-bench'"
SERVER_NAME=drift start_server "${SERVER_ARGS[@]}"
MODE=seed run_load_generator -Xmx512m "${ROOT}/bench/MonitoringBench.java"
sleep 3 # one sketch flush (1 s here) and the prediction log's last batch
log "copying the seeded bucket's sketch row to the other 95 buckets of the day"
psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d "${DB_NAME}" -v ON_ERROR_STOP=1 -qX -c "INSERT INTO drift_sketches (deployment, bucket_start, version, replica, model, row_count,
        sketches, updated_at)
    SELECT s.deployment, s.bucket_start - make_interval(mins => 15 * k), s.version, s.replica, s.model, s.row_count,
           s.sketches, s.updated_at
    FROM drift_sketches s CROSS JOIN generate_series(1, 95) AS k
    WHERE s.deployment = 'mon-bench' AND s.bucket_start = (SELECT max(bucket_start) FROM drift_sketches
                                                          WHERE deployment = 'mon-bench')
    ON CONFLICT DO NOTHING" -c "ANALYZE drift_sketches"
wait_for_idle
MODE=drift run_load_generator -Xmx512m "${ROOT}/bench/MonitoringBench.java"
stop_server "${SERVER_PID}" drift
WRITES_AFTER="$(other_db_writes)"
report_foreign_monitor
report_other_db_writes "${WRITES_BEFORE}" "${WRITES_AFTER}"

log "summary (medians of ${ROUNDS} rounds)"
for rows in ${ROWS_LIST:-1 32}; do
    on="$(grep "RESULT load monitoring=true rows=${rows} " "${WORK}/results.txt" | sed 's/.*requests\/s=\([0-9.]*\).*/\1/' \
        | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    off="$(grep "RESULT load monitoring=false rows=${rows} " "${WORK}/results.txt" | sed 's/.*requests\/s=\([0-9.]*\).*/\1/' \
        | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    ratio="$(awk -v a="${on}" -v b="${off}" 'BEGIN {printf "%.1f", 100 * a / b}')"
    line="rows=${rows}: monitoring on ${on} req/s, off ${off} req/s: on is ${ratio} % of off"
    echo "SUMMARY ${line}" >>"${WORK}/results.txt"
    log "${line}"
done
grep "RESULT drift" "${WORK}/results.txt" >&2 || true
log "done; results in ${WORK}/results.txt"
