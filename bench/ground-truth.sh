#!/usr/bin/env bash
# Ground-truth bench (issue #15): how fast a bulk CSV of labels loads through
# POST /api/v1/deployments/{name}/ground-truth, beside a raw COPY of the very same file into a plain table (the limit
# PostgreSQL itself sets on this machine), in alternating rounds.
#
# Set-up: a fresh database, one server (security off), a registered model and a deployment of it (its version has no real
# model: labels only need the deployment to exist), and PREDICTIONS rows in monitored_predictions. Those rows are
# seeded with SQL (generate_series), ten a second, with time-ordered ids shaped like the server's (UUID version 7):
# serving a million predictions first would take longer than the bench, and the load path only reads
# monitored_predictions. The label file is LABELS random predictions of those, with a 0/1 label.
# Each round: raw COPY into a fresh table, then the server's load (the ground-truth tables emptied before it, so every
# round stores LABELS new labels); a last round loads the same file again, so every label replaces one (history).
#
#   bash bench/ground-truth.sh                          # about 5 minutes on 2 cores
#   ROUNDS=3 LABELS=200000 bash bench/ground-truth.sh   # quicker
#
# Only 127.0.0.1 traffic; the server is always stopped on exit. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=ground-truth.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

PORT="${PORT:-5091}"
DB_NAME="${DB_NAME:-cairn_bench_ground_truth}"
SERVER_XMX="${SERVER_XMX:-768m}"
ROUNDS="${ROUNDS:-5}"
PREDICTIONS="${PREDICTIONS:-1000000}"
LABELS="${LABELS:-500000}"

start_work cairn-bench-ground-truth
wait_for_idle
build_jar
recreate_database
start_server
URL="http://127.0.0.1:${PORT}"
PSQL=(psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d "${DB_NAME}" -v ON_ERROR_STOP=1 -qXAt)

curl -fsS -X POST "${URL}/api/2.0/mlflow/registered-models/create" -H 'Content-Type: application/json' \
    -d '{"name": "gt-bench"}' >/dev/null || die "could not create the registered model"
# A version whose "model" is a few bytes that are no ONNX model: the deployment never loads (its loader says so in the
# server log), which the load path does not need.
curl -fsS -X PUT "${URL}/api/2.0/mlflow-artifacts/artifacts/gt-bench/model/model.onnx" --data-binary 'not a model' \
    >/dev/null || die "could not upload the placeholder model file"
curl -fsS -X POST "${URL}/api/2.0/mlflow/model-versions/create" -H 'Content-Type: application/json' \
    -d '{"name": "gt-bench", "source": "mlflow-artifacts:/gt-bench/model"}' >/dev/null \
    || die "could not create the model version"
curl -fsS -X POST "${URL}/api/2.0/mlflow/registered-models/alias" -H 'Content-Type: application/json' \
    -d '{"name": "gt-bench", "alias": "champion", "version": "1"}' >/dev/null || die "could not set the alias"
curl -fsS -X PUT "${URL}/api/v1/deployments/gt-bench" -H 'Content-Type: application/json' \
    -d '{"model": "gt-bench", "alias": "champion"}' >/dev/null || die "could not create the deployment"

log "seeding ${PREDICTIONS} predictions into monitored_predictions and writing ${LABELS} labels to a CSV file"
"${PSQL[@]}" -c "INSERT INTO monitored_predictions (prediction_id, deployment, model, version, alias, request_id,
        row_count, latency_ms, predicted_at)
    SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3) || '8'
            || substr(h, 4, 15))::uuid, 'gt-bench', 'gt-bench', 1, 'champion', NULL, 1, 1.0, t
    FROM (SELECT now() - make_interval(secs => (${PREDICTIONS} - i) / 10.0) AS t, md5(i::text) AS h
          FROM generate_series(1, ${PREDICTIONS}) i) s" -c "ANALYZE monitored_predictions"
LABEL_FILE="${WORK}/labels.csv"
"${PSQL[@]}" -c "\\copy (SELECT prediction_id, (random() < 0.5)::int AS value FROM monitored_predictions
    ORDER BY random() LIMIT ${LABELS}) TO '${LABEL_FILE}' WITH (FORMAT csv, HEADER)"
[[ "$(wc -l <"${LABEL_FILE}")" -eq $((LABELS + 1)) ]] || die "the label file does not hold ${LABELS} labels"
log "label file: $(du -h "${LABEL_FILE}" | cut -f1)"

now_s() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

load() { # -> prints seconds; checks the answer
    local answer start end
    start=$(now_s)
    answer=$(curl -fsS -X POST "${URL}/api/v1/deployments/gt-bench/ground-truth" -H 'Content-Type: text/csv' \
        --data-binary "@${LABEL_FILE}") || die "the load failed"
    end=$(now_s)
    grep -q "\"stored\":${LABELS}," <<<"${answer}" || die "the load did not store ${LABELS} labels: ${answer}"
    printf '%s' "${answer}" >"${WORK}/answer.json" # load runs in $(...): a variable would not reach the caller
    awk -v a="${start}" -v b="${end}" 'BEGIN { printf "%.3f", b - a }'
}

raw_copy() { # -> prints seconds
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS raw_labels" -c "CREATE TABLE raw_labels (prediction_id uuid, value text)"
    local start end
    start=$(now_s)
    "${PSQL[@]}" -c "\\copy raw_labels FROM '${LABEL_FILE}' WITH (FORMAT csv, HEADER)"
    end=$(now_s)
    awk -v a="${start}" -v b="${end}" 'BEGIN { printf "%.3f", b - a }'
}

echo "warm-up: one load (not measured)"
"${PSQL[@]}" -c "TRUNCATE ground_truth, ground_truth_history"
load >/dev/null
SERVER_RATES=()
RAW_RATES=()
for ((round = 1; round <= ROUNDS; round++)); do
    raw_s=$(raw_copy)
    "${PSQL[@]}" -c "TRUNCATE ground_truth, ground_truth_history" -c "VACUUM ANALYZE ground_truth"
    server_s=$(load)
    RAW_RATES+=("$(rate "${LABELS}" "${raw_s}")")
    SERVER_RATES+=("$(rate "${LABELS}" "${server_s}")")
    echo "[round ${round}] raw COPY ${raw_s} s = ${RAW_RATES[-1]} rows/s; server load ${server_s} s = ${SERVER_RATES[-1]} labels/s ($(awk -v s="${SERVER_RATES[-1]}" -v r="${RAW_RATES[-1]}" 'BEGIN { printf "%.1f", 100 * s / r }') % of raw)"
done
relabel_s=$(load)
grep -q "\"replaced\":${LABELS}," "${WORK}/answer.json" \
    || die "the re-label round did not replace every label: $(cat "${WORK}/answer.json")"
echo "[re-label] the same file again: ${relabel_s} s = $(rate "${LABELS}" "${relabel_s}") labels/s (every label replaces one; the old ones go to history)"

echo
echo "==================== summary (paste into docs/benchmarks.md) ===================="
echo "| | per round (labels/s or rows/s) | median |"
echo "|---|---|---|"
echo "| server: POST ground-truth, CSV of ${LABELS} labels | ${SERVER_RATES[*]} | **$(printf '%s\n' "${SERVER_RATES[@]}" | median) labels/s** |"
echo "| raw COPY of the same file (psql \\copy into a plain table) | ${RAW_RATES[*]} | $(printf '%s\n' "${RAW_RATES[@]}" | median) rows/s |"
echo "| re-label: the same file again (every label replaced) | $(rate "${LABELS}" "${relabel_s}") | |"
echo "goal >= 50,000 labels/s; machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $("${PSQL[@]}" -c 'SHOW server_version'), at $(git -C "${ROOT}" rev-parse --short HEAD)"
echo "================================================================================="
