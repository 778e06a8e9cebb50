#!/usr/bin/env bash
# From nothing to a served prediction, on a running Cairn (README, "Walkthrough"):
#   1. define the driver entity and the driver_stats feature view (cairn apply examples/feature_repo),
#   2. write a few fresh feature rows and materialize them into the online store,
#   3. log a run and upload examples/eta/model.onnx through MLflow's artifact proxy,
#   4. register it as a version of the model "eta" with the features it reads, point the alias "champion" at it,
#   5. deploy the alias, infer over the Open Inference Protocol, and predict by entity key.
# It is safe to run again: what exists is reused (the experiment, the model, the deployment); each run adds a run and
# a version and moves the alias to it. Needs curl and a JDK (for bin/cairn, built by ./mvnw -DskipTests package).
#
#   bash examples/walkthrough.sh                       # the server at http://localhost:5000
#   CAIRN_URL=http://host:5000 CAIRN_TOKEN=... bash examples/walkthrough.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL="${CAIRN_URL:-http://localhost:5000}"
MODEL="${MODEL:-eta}"
AUTH=()
if [ -n "${CAIRN_TOKEN:-}" ]; then AUTH=(-H "Authorization: Bearer ${CAIRN_TOKEN}"); fi
export CAIRN_URL="${URL}"

say() { printf '\n== %s\n' "$*"; }
# curl that fails on an HTTP error and prints the server's answer (which says what to fix).
call() { curl -sS --fail-with-body "${AUTH[@]}" "$@"; }
json() { call -H 'Content-Type: application/json' "$@"; }
# The first string value of a JSON field: enough for the flat answers below, without jq.
field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" | head -n 1; }

say "1. feature definitions (cairn apply)"
"${HERE}/../bin/cairn" apply "${HERE}/feature_repo"

say "2. fresh rows for drivers 1001 and 1002, ingested and materialized"
rows="$(mktemp)"
trap 'rm -f "${rows}"' EXIT
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf 'driver_id,event_timestamp,conv_rate,acc_rate,avg_daily_trips\n1001,%s,0.6,0.91,14\n1002,%s,0.5,0.9,12\n' \
    "${now}" "${now}" > "${rows}"
"${HERE}/../bin/cairn" ingest driver_stats "${rows}"
"${HERE}/../bin/cairn" materialize-incremental --views driver_stats

say "3. a run with the model uploaded through the artifact proxy"
MLFLOW="${URL}/api/2.0/mlflow"
experiment="$(call "${MLFLOW}/experiments/get-by-name?experiment_name=${MODEL}" 2>/dev/null | field experiment_id || true)"
if [ -z "${experiment}" ]; then
    experiment="$(json "${MLFLOW}/experiments/create" -d "{\"name\": \"${MODEL}\"}" | field experiment_id)"
fi
run_answer="$(json "${MLFLOW}/runs/create" -d "{\"experiment_id\": \"${experiment}\", \"run_name\": \"walkthrough\"}")"
run="$(field run_id <<< "${run_answer}")"
artifacts="$(field artifact_uri <<< "${run_answer}")"      # mlflow-artifacts:/<experiment>/<run>/artifacts
call -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@${HERE}/eta/model.onnx" \
    "${URL}/api/2.0/mlflow-artifacts/artifacts/${artifacts#mlflow-artifacts:/}/model/model.onnx" > /dev/null
json "${MLFLOW}/runs/update" -d "{\"run_id\": \"${run}\", \"status\": \"FINISHED\"}" > /dev/null
echo "experiment ${experiment}, run ${run}, model at ${artifacts}/model"

say "4. registered as a version of '${MODEL}', alias champion"
if ! call "${MLFLOW}/registered-models/get?name=${MODEL}" > /dev/null 2>&1; then
    json "${MLFLOW}/registered-models/create" -d "{\"name\": \"${MODEL}\"}" > /dev/null
fi
version="$(json "${MLFLOW}/model-versions/create" -d "{\"name\": \"${MODEL}\", \"source\": \"${artifacts}/model\",
    \"run_id\": \"${run}\", \"tags\": [{\"key\": \"cairn.features\",
    \"value\": \"driver_stats:conv_rate,driver_stats:acc_rate,driver_stats:avg_daily_trips\"}]}" | field version)"
json "${MLFLOW}/registered-models/alias" -d "{\"name\": \"${MODEL}\", \"alias\": \"champion\", \"version\": \"${version}\"}" \
    > /dev/null
echo "version ${version} is champion"

say "5. deployed, then inferred and predicted by entity"
json -X PUT "${URL}/api/v1/deployments/${MODEL}" -d "{\"model\": \"${MODEL}\", \"alias\": \"champion\"}" > /dev/null
# The PUT answers once this replica tried to load the version; wait until it serves the one just registered.
for _ in $(seq 1 60); do
    state="$(call "${URL}/api/v1/deployments/${MODEL}")"
    if grep -q "\"loaded_version\": *\"${version}\"" <<< "${state}"; then break; fi
    sleep 1
done
grep -q "\"loaded_version\": *\"${version}\"" <<< "${state}" || { echo "version ${version} did not load: ${state}"; exit 1; }
echo "infer (conv_rate 0.6, acc_rate 0.91, 14 trips):"
json "${URL}/v2/models/${MODEL}/infer" \
    -d '{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [0.6, 0.91, 14]}]}'
echo
echo "predict for drivers 1001 and 1002, features read from the online store:"
json "${URL}/api/v1/deployments/${MODEL}/predict" -d '{"entities": {"driver_id": [1001, 1002]}}'
echo
