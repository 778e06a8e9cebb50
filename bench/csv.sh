#!/usr/bin/env bash
# CSV parsing bench (issue #17): Cairn's platform/text/CsvReader (on FastCSV, with its stricter checks), the
# hand-written parser it replaced, bare FastCSV and Apache Commons CSV, parsing as the ingestion path does (a UTF-8 body through an InputStreamReader, one String[] per record, empty cells
# as null). No server and no database: the parser alone, which is what a switch would change. The libraries are
# fetched with Maven into the work directory; CsvReader is compiled from src/main/java as it is.
#
#   bash bench/csv.sh                          # about 2 minutes on 2 cores
#   ROUNDS=3 ROWS=200000 bash bench/csv.sh     # quicker
#
# See bench/README.md; results in docs/benchmarks.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=csv.sh
# shellcheck source=bench/lib.sh
source "${ROOT}/bench/lib.sh"

FASTCSV_VERSION="${FASTCSV_VERSION:-4.0.0}"
COMMONS_CSV_VERSION="${COMMONS_CSV_VERSION:-1.14.1}"
BENCH_XMX="${BENCH_XMX:-1g}"
export ROWS="${ROWS:-1000000}" ROUNDS="${ROUNDS:-7}" WARMUP_ROUNDS="${WARMUP_ROUNDS:-2}"

start_work cairn-bench-csv
log "fetching FastCSV ${FASTCSV_VERSION} and Commons CSV ${COMMONS_CSV_VERSION} (with commons-io and commons-codec)"
# Commons CSV 1.14.1 declares commons-io 2.20.0 and commons-codec 1.19.0.
for artifact in "de.siegmar:fastcsv:${FASTCSV_VERSION}" "org.apache.commons:commons-csv:${COMMONS_CSV_VERSION}" \
        "commons-io:commons-io:2.20.0" "commons-codec:commons-codec:1.19.0"; do
    (cd "${ROOT}" && ./mvnw -q dependency:copy -Dartifact="${artifact}" -DoutputDirectory="${WORK}/lib") \
        >>"${WORK}/mvn.log" 2>&1 || die "could not fetch ${artifact} (see ${WORK}/mvn.log)"
done
CLASSPATH_LIBS="$(ls -1 "${WORK}"/lib/*.jar | paste -sd:)"
mkdir -p "${WORK}/classes" "${WORK}/src/handwritten"
javac -cp "${CLASSPATH_LIBS}" -d "${WORK}/classes" "${ROOT}/src/main/java/io/cairn/platform/text/CsvReader.java" \
    || die "CsvReader did not compile"
# The hand-written parser CsvReader was until it moved onto FastCSV, from git history (the parent of the commit that
# removed it), as handwritten.CsvReader; without the history the bench leaves it out.
removal="$(cd "${ROOT}" && git log -n 1 --format=%H -S'new char[64 * 1024]' -- src/main/java/io/cairn/platform/text/CsvReader.java 2>/dev/null || true)"
if [[ -n "${removal}" ]] && (cd "${ROOT}" && git show "${removal}^:src/main/java/io/cairn/platform/text/CsvReader.java") \
        | sed 's/^package io.cairn.platform.text;/package handwritten;/' >"${WORK}/src/handwritten/CsvReader.java" \
        && javac -d "${WORK}/classes" "${WORK}/src/handwritten/CsvReader.java"; then
    export HANDWRITTEN=1
    log "hand-written CsvReader from ${removal:0:12}^"
else
    export HANDWRITTEN=0
    log "no hand-written CsvReader in the git history: measuring the three libraries' paths only"
fi

wait_for_idle
start_foreign_monitor
log "parsing ${ROWS} rows, ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds"
run_load_generator -Xmx"${BENCH_XMX}" -cp "${WORK}/classes:${CLASSPATH_LIBS}" \
    "${ROOT}/bench/CsvBench.java"
report_foreign_monitor
log "machine: $(nproc) CPUs, $(java -version 2>&1 | head -n 1)"
