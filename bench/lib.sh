# Shared plumbing of the bench/*.sh scripts: logging, waiting for an idle machine, building the jar, a fresh database,
# starting and always stopping the server, and flagging Maven JVMs that run beside a measurement.
# Sourced, not run, right after the sourcing script sets BENCH (its name for log lines) and ROOT; then the script sets
# its own parameters (PORT, DB_NAME, SERVER_XMX, ...) and calls start_work.

# ---- parameters every bench shares (environment) ---------------------------------------------------------------------
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
SKIP_BUILD="${SKIP_BUILD:-0}"              # 1: use the jar already in target/
READY_TIMEOUT_S="${READY_TIMEOUT_S:-180}"  # server start-up bound
BENCH_TIMEOUT_S="${BENCH_TIMEOUT_S:-1800}" # load generator bound
IDLE_WAIT_S="${IDLE_WAIT_S:-1800}"         # how long to wait for an idle machine (0: do not wait)
IDLE_CPU_PCT="${IDLE_CPU_PCT:-25}"         # "idle" means at most this much CPU busy (3 s sample)
KEEP_WORK="${KEEP_WORK:-1}"                # keep logs in the work directory

if [[ "${PG_HOST}" != "127.0.0.1" && "${PG_HOST}" != "localhost" ]]; then
    echo "${BENCH}: PG_HOST must be local (127.0.0.1), got ${PG_HOST}" >&2
    exit 2
fi

log() { printf '[%s %s] %s\n' "${BENCH}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Any Maven JVM (build, surefire/failsafe tests, from any checkout) competes for the 2 cores.
MAVEN_JVM='surefire|failsafe|plexus-classworlds'

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Busy share of all CPUs over 3 s, from /proc/stat.
cpu_busy_pct() {
    local a b total=0 idle i
    read -r -a a < <(head -n 1 /proc/stat)
    sleep 3
    read -r -a b < <(head -n 1 /proc/stat)
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    echo $(((total - idle) * 100 / (total > 0 ? total : 1)))
}

# Waits up to IDLE_WAIT_S until no Maven JVM runs and at most IDLE_CPU_PCT of the CPU is busy; IDLE_WAIT_S=0 skips.
wait_for_idle() {
    ((${IDLE_WAIT_S:-1800} > 0)) || return 0
    local deadline=$((SECONDS + ${IDLE_WAIT_S:-1800})) said=0 busy pct
    while :; do
        if pgrep -f "${MAVEN_JVM}" >/dev/null; then
            busy="a Maven JVM (build or surefire/failsafe tests) is running"
        else
            pct="$(cpu_busy_pct)"
            ((pct <= ${IDLE_CPU_PCT:-25})) && return 0
            busy="CPU ${pct}% busy (limit IDLE_CPU_PCT=${IDLE_CPU_PCT:-25})"
        fi
        ((SECONDS < deadline)) || die "machine not idle after ${IDLE_WAIT_S} s (${busy}); numbers would be skewed"
        if ((said == 0)); then
            log "waiting for the machine to be idle: ${busy} (up to ${IDLE_WAIT_S} s)"
            said=1
        fi
        sleep 5
    done
}

# Builds the jar unless SKIP_BUILD=1 and copies it to ${WORK}/cairn.jar, so a concurrent `mvn clean` cannot pull it
# from under the running server.
build_jar() {
    cd "${ROOT}"
    if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
        log "building the jar (./mvnw -q -DskipTests package)"
        ./mvnw -q -DskipTests package || die "build failed"
    fi
    local jar
    jar="$(ls -1 "${ROOT}"/target/cairn-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1 || true)"
    [[ -n "${jar}" && -f "${jar}" ]] || die "no server jar in ${ROOT}/target"
    cp "${jar}" "${WORK}/cairn.jar"
}

# Prints the path of the jar of GROUP:ARTIFACT that the project resolves (dependency:build-classpath), falling back to
# the newest one in ~/.m2; dies naming it when there is none.
project_jar() {
    local group="$1" artifact="$2" jar="" listing="${WORK}/${2}.classpath"
    if (cd "${ROOT}" && ./mvnw -q dependency:build-classpath -Dmdep.outputFile="${listing}" \
            -DincludeGroupIds="${group}" -DincludeArtifactIds="${artifact}") >"${WORK}/mvn-classpath.log" 2>&1; then
        jar="$(tr ':' '\n' <"${listing}" | grep -m1 "${artifact}-.*\.jar$" || true)"
    fi
    if [[ -z "${jar}" || ! -f "${jar}" ]]; then
        jar="$(find "${HOME}/.m2/repository/${group//.//}/${artifact}" -name "${artifact}-*.jar" 2>/dev/null \
            | grep -v -e sources -e javadoc | sort -V | tail -n 1 || true)"
    fi
    [[ -n "${jar}" && -f "${jar}" ]] || die "${group}:${artifact} jar not found (dependency:build-classpath and ~/.m2)"
    echo "${jar}"
}

# Sets PGJDBC to the PostgreSQL JDBC driver jar the project resolves.
find_pgjdbc() {
    log "locating the PostgreSQL JDBC driver"
    PGJDBC="$(project_jar org.postgresql postgresql)"
    log "pgjdbc: ${PGJDBC}"
}

# Sets HDRHISTOGRAM to the HdrHistogram jar the project resolves (Micrometer's): the load generators take their
# latency percentiles from it.
find_hdrhistogram() {
    log "locating HdrHistogram"
    HDRHISTOGRAM="$(project_jar org.hdrhistogram HdrHistogram)"
    log "HdrHistogram: ${HDRHISTOGRAM}"
}

# Drops and recreates DB_NAME on PG_HOST:PG_PORT; sets PSQL (an array) for later queries.
recreate_database() {
    log "recreating database ${DB_NAME}"
    PSQL=(psql -h "${PG_HOST}" -p "${PG_PORT}" -U "${PG_USER}" -d postgres -v ON_ERROR_STOP=1 -qX)
    timeout 60 "${PSQL[@]}" -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" -c "CREATE DATABASE ${DB_NAME}" \
        || die "could not recreate database ${DB_NAME} on ${PG_HOST}:${PG_PORT}"
}

# Starts ${WORK}/cairn.jar on PORT against DB_NAME with -Xmx${SERVER_XMX} and any further arguments given, and waits
# (at most READY_TIMEOUT_S) until its readiness group is UP. Sets SERVER_PID. A bench running more than one server sets
# SERVER_NAME before each start (log ${WORK}/${SERVER_NAME}.log, working directory ${WORK}/run-${SERVER_NAME}); every
# server started is stopped on exit (SERVER_PIDS), or earlier with stop_server. SERVER_JVM_ARGS: extra JVM options.
start_server() {
    local name="${SERVER_NAME:-server}" log_file run_dir
    log_file="${WORK}/${name}.log"
    run_dir="${WORK}/run${SERVER_NAME:+-${SERVER_NAME}}"
    port_free "${PORT}" || die "port ${PORT} is already in use; set PORT to a free one"
    log "starting ${name} on port ${PORT} (-Xmx${SERVER_XMX}); log: ${log_file}"
    mkdir -p "${run_dir}"
    (
        cd "${run_dir}"
        # shellcheck disable=SC2086 # SERVER_JVM_ARGS is a list of JVM options (e.g. a JFR recording)
        exec java "-Xmx${SERVER_XMX}" ${SERVER_JVM_ARGS:-} -jar "${WORK}/cairn.jar" \
            --server.port="${PORT}" \
            --cairn.features.server.port="${FEATURE_SERVER_PORT:-0}" \
            --spring.datasource.url="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}?reWriteBatchedInserts=true" \
            --spring.datasource.username="${PG_USER}" \
            "$@"
    ) >"${log_file}" 2>&1 &
    SERVER_PID=$!
    SERVER_PIDS+=("${SERVER_PID}")
    local ready_url="http://127.0.0.1:${PORT}/actuator/health/readiness" deadline=$((SECONDS + READY_TIMEOUT_S))
    until curl -fsS --max-time 2 "${ready_url}" 2>/dev/null | grep -q '"status":"UP"'; do
        if ! kill -0 "${SERVER_PID}" 2>/dev/null; then
            tail -n 40 "${log_file}" >&2 || true
            SERVER_PID=""
            die "${name} exited during start-up (log above, full log ${log_file})"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "${log_file}" >&2 || true
            die "${name} not ready (${ready_url} not UP) after ${READY_TIMEOUT_S} s"
        fi
        sleep 1
    done
    log "${name} ready (pid ${SERVER_PID})"
}

# Stops one server started by start_server before the end of the run (and forgets it, so its pid is not signalled
# again on exit).
stop_server() { # pid name
    local pid kept=()
    stop_process "$1" "$2"
    for pid in ${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"}; do
        [[ "${pid}" == "$1" ]] || kept+=("${pid}")
    done
    SERVER_PIDS=(${kept[@]+"${kept[@]}"})
    [[ "${SERVER_PID}" != "$1" ]] || SERVER_PID=""
}

# Stops a process politely, then by force after 30 s.
stop_process() { # pid name
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

# Samples every 2 s, into ${WORK}/foreign.log, whether a Maven JVM runs beside the measurement. Sets MONITOR_PID.
start_foreign_monitor() {
    (while :; do
        if pgrep -f "${MAVEN_JVM}" >/dev/null; then echo "$(date +%T) maven"; else echo "$(date +%T) idle"; fi
        sleep 2
    done) >"${WORK}/foreign.log" 2>/dev/null &
    MONITOR_PID=$!
}

# Stops the monitor and says whether the measurement shared the machine with a Maven JVM.
report_foreign_monitor() {
    [[ -n "${MONITOR_PID:-}" ]] || return 0
    kill "${MONITOR_PID}" 2>/dev/null || true
    wait "${MONITOR_PID}" 2>/dev/null || true
    MONITOR_PID=""
    local samples foreign
    samples="$(grep -c . "${WORK}/foreign.log" || true)"
    foreign="$(grep -c ' maven$' "${WORK}/foreign.log" || true)"
    if ((foreign > 0)); then
        log "WARNING: a Maven JVM ran beside the measurement in ${foreign} of ${samples} samples" \
            "($(grep ' maven$' "${WORK}/foreign.log" | sed -n '1p;$p' | cut -d' ' -f1 | paste -sd- -)); the numbers are probably skewed"
    else
        log "no Maven JVM ran beside the measurement (${samples} samples, every 2 s)"
    fi
}

# Runs a load generator under BENCH_TIMEOUT_S, appending its output to ${WORK}/results.txt; dies on failure.
run_load_generator() { # java arguments...
    set +e
    timeout --kill-after=10 "${BENCH_TIMEOUT_S}" java "$@" 2>&1 | tee -a "${WORK}/results.txt"
    local rc=${PIPESTATUS[0]}
    set -e
    if ((rc == 124 || rc == 137)); then
        die "load generator exceeded BENCH_TIMEOUT_S=${BENCH_TIMEOUT_S} s"
    elif ((rc != 0)); then
        die "load generator failed (exit ${rc}); server log: ${WORK}/server.log"
    fi
}

# Rows changed in the other databases of the same PostgreSQL (another bench, a test suite): they share the CPU and the
# WAL with this one. Needs PSQL (recreate_database sets it).
other_db_writes() {
    timeout 20 "${PSQL[@]}" -At -c "SELECT coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) FROM pg_stat_database
                          WHERE datname IS NOT NULL AND datname <> '${DB_NAME}'" 2>/dev/null || echo 0
}

report_other_db_writes() { # writes before, writes after
    local other=$(($2 - $1))
    if ((other > 10000)); then
        log "WARNING: other databases on this PostgreSQL changed ${other} rows during the measurement;" \
            "the numbers are probably skewed by concurrent load"
    else
        log "other databases on this PostgreSQL changed ${other} rows during the measurement"
    fi
}

# Creates WORK (mktemp under TMPDIR with the given prefix) and arranges that on any exit the monitor and the server
# stop, the jar copy goes, and WORK is kept (KEEP_WORK=1) or removed. A script with more to undo defines
# cleanup_extra, which runs once the server is stopped.
start_work() { # prefix
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
    SERVER_PID=""
    SERVER_PIDS=()
    MONITOR_PID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_cleanup() {
    local rc=$?
    [[ -z "${MONITOR_PID}" ]] || kill "${MONITOR_PID}" 2>/dev/null || true
    local pid
    for pid in ${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"} ${SERVER_PID}; do
        stop_process "${pid}" server
    done
    if declare -F cleanup_extra >/dev/null; then
        cleanup_extra
    fi
    rm -f "${WORK}/cairn.jar"
    if [[ "${KEEP_WORK}" == "1" ]]; then
        log "logs kept in ${WORK}"
    else
        rm -rf "${WORK}"
    fi
    exit "${rc}"
}
