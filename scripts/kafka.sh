#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft combined mode) for local
# development and CI, without Docker: the jars come from Maven Central via
# infra/kafka/pom.xml.
#
# Usage: scripts/kafka.sh start|stop|restart|status|logs [-f]
#
# Environment:
#   KAFKA_HOME_DIR          state dir (libs, data, logs, pid)  [<repo>/.kafka]
#   KAFKA_PORT              PLAINTEXT listener port             [9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller listener port      [9093]
#   KAFKA_START_TIMEOUT     seconds to wait for readiness       [90]
#   KAFKA_STOP_TIMEOUT      seconds before SIGKILL on stop      [20]
#   KAFKA_HEAP_OPTS         broker JVM heap options             [-Xmx512m]
#   JAVA_HOME               optional; otherwise `java` from PATH
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$REPO/infra/kafka/pom.xml"
STATE_DIR="${KAFKA_HOME_DIR:-$REPO/.kafka}"
LIB_DIR="$STATE_DIR/libs"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
LOG_FILE="$LOG_DIR/server.log"
PID_FILE="$STATE_DIR/kafka.pid"
PORT_FILE="$STATE_DIR/kafka.port"
CONFIG_FILE="$STATE_DIR/server.properties"
LOG4J_FILE="$STATE_DIR/log4j.properties"
TOOLS_LOG4J_FILE="$STATE_DIR/tools-log4j.properties"
CLUSTER_ID_FILE="$STATE_DIR/cluster-id"
POM_HASH_FILE="$LIB_DIR/.pom.sha256"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-20}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m}"
HOST="127.0.0.1"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

log() { printf '[kafka] %s\n' "$*"; }
err() { printf '[kafka] ERROR: %s\n' "$*" >&2; }
die() {
  err "$*"
  exit 1
}

usage() {
  cat <<EOF
Usage: $(basename "$0") <command>

Commands:
  start      download jars (if needed), format storage (first run) and start
             the broker in the background; waits until it answers
  stop       stop the broker (SIGTERM, SIGKILL after ${KAFKA_STOP_TIMEOUT}s)
  restart    stop then start
  status     print whether the broker is running (exit 0) or not (exit 1)
  logs [-f]  print the last 100 lines of the broker log (-f: follow)

Broker: PLAINTEXT://$HOST:$KAFKA_PORT  (controller: $HOST:$KAFKA_CONTROLLER_PORT)
State:  $STATE_DIR
EOF
}

require_int() {
  [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be an integer (got '$2')"
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found in PATH ($2)"
}

# --- process / port helpers -------------------------------------------------

read_pid() {
  local pid=""
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE")"
  fi
  printf '%s' "$pid"
}

# True if $1 is a live process that is our broker (guards against pid reuse).
is_broker_pid() {
  local pid="$1"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local args=""
  if [[ -r "/proc/$pid/cmdline" ]]; then
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  [[ "$args" == *kafka.Kafka* ]]
}

# Port the running broker was started with (falls back to KAFKA_PORT).
running_port() {
  local port=""
  if [[ -f "$PORT_FILE" ]]; then
    port="$(tr -dc '0-9' <"$PORT_FILE")"
  fi
  printf '%s' "${port:-$KAFKA_PORT}"
}

port_open() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

broker_pid() {
  local pid
  pid="$(read_pid)"
  if is_broker_pid "$pid"; then
    printf '%s' "$pid"
  fi
}

tail_log() {
  local lines="${1:-50}"
  if [[ -f "$LOG_FILE" ]]; then
    err "last $lines lines of $LOG_FILE:"
    tail -n "$lines" "$LOG_FILE" >&2 || true
  else
    err "no log file at $LOG_FILE"
  fi
}

# Run a Kafka CLI class from the downloaded jars, with quiet logging.
run_tool() {
  "$JAVA" -Xmx256m -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" \
    -cp "$LIB_DIR/*" "$@"
}

# Serialise start/stop between concurrent invocations (fd 9, released on exit).
lock_state() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$STATE_DIR/.lock"
  flock -w 180 9 || die "another scripts/kafka.sh is holding $STATE_DIR/.lock"
}

# --- setup ------------------------------------------------------------------

pom_hash() {
  sha256sum "$POM" | cut -d' ' -f1
}

fetch_jars() {
  [[ -f "$POM" ]] || die "missing $POM"
  local want
  want="$(pom_hash)"
  if [[ -d "$LIB_DIR" && -f "$POM_HASH_FILE" && "$(cat "$POM_HASH_FILE")" == "$want" ]]; then
    return 0
  fi
  require_cmd mvn "needed to download the Kafka jars"
  log "copying Kafka jars from Maven (cache: ~/.m2) into $LIB_DIR ..."
  local tmp="$STATE_DIR/libs.tmp"
  local mvn_log="$STATE_DIR/mvn.log"
  rm -rf "$tmp"
  # Output goes to a file: Maven 3.8 prints stray ANSI codes even with -q/-B.
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (see output above)"
  fi
  rm -f "$mvn_log"
  printf '%s\n' "$want" >"$tmp/.pom.sha256"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/kafka.sh -- do not edit, it is rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA_DIR
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF

  cat >"$LOG4J_FILE" <<'EOF'
# Generated by scripts/kafka.sh. Broker stdout is redirected to logs/server.log.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF

  cat >"$TOOLS_LOG4J_FILE" <<'EOF'
# Generated by scripts/kafka.sh. Used for CLI tools (readiness check, etc.).
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    log "storage already formatted ($DATA_DIR), reusing it"
    return 0
  fi
  local cluster_id=""
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cluster_id="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"
  fi
  if [[ -z "$cluster_id" ]]; then
    cluster_id="$(run_tool kafka.tools.StorageTool random-uuid | tail -n 1 | tr -d '[:space:]')"
    [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
    printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  log "formatting storage in $DATA_DIR (cluster id $cluster_id)"
  run_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" \
    || die "storage format failed"
}

# True once the broker serves metadata requests.
broker_answers() {
  port_open "$KAFKA_PORT" || return 1
  local t=()
  if command -v timeout >/dev/null 2>&1; then
    t=(timeout 30)
  fi
  "${t[@]}" "$JAVA" -Xmx256m -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" -cp "$LIB_DIR/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$KAFKA_PORT" --list \
    >/dev/null 2>&1
}

wait_until_ready() {
  local pid="$1" start now
  start="$(date +%s)"
  while true; do
    if ! is_broker_pid "$pid"; then
      err "broker process $pid exited during startup"
      rm -f "$PID_FILE" "$PORT_FILE"
      tail_log 50
      return 1
    fi
    if broker_answers; then
      now="$(date +%s)"
      log "broker is ready on $HOST:$KAFKA_PORT (pid $pid, answered after $((now - start))s)"
      return 0
    fi
    now="$(date +%s)"
    if ((now - start >= KAFKA_START_TIMEOUT)); then
      err "broker did not answer on $HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s"
      tail_log 50
      err "stopping the unresponsive broker (pid $pid)"
      stop_pid "$pid" || true
      return 1
    fi
    sleep 1
  done
}

# --- commands ---------------------------------------------------------------

cmd_start() {
  require_cmd "$JAVA" "Java 17 is required"
  mkdir -p "$STATE_DIR"
  lock_state

  local pid
  pid="$(broker_pid)"
  if [[ -n "$pid" ]]; then
    local port
    port="$(running_port)"
    if [[ "$port" != "$KAFKA_PORT" ]]; then
      die "already running on $HOST:$port (pid $pid), not on the requested port $KAFKA_PORT; run '$0 stop' first"
    fi
    if port_open "$KAFKA_PORT"; then
      log "already running (pid $pid, $HOST:$KAFKA_PORT)"
      return 0
    fi
    log "broker process $pid exists but does not answer yet; waiting for it"
    fetch_jars
    wait_until_ready "$pid"
    return
  fi
  rm -f "$PID_FILE" "$PORT_FILE"

  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$p"; then
      die "port $p on $HOST is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done

  fetch_jars
  write_config
  format_storage

  # Keep the previous run's log for debugging.
  if [[ -f "$LOG_FILE" ]]; then
    mv -f "$LOG_FILE" "$LOG_FILE.1"
  fi

  log "starting broker on $HOST:$KAFKA_PORT (controller $HOST:$KAFKA_CONTROLLER_PORT), log: $LOG_FILE"
  local heap_opts
  read -r -a heap_opts <<<"$KAFKA_HEAP_OPTS"
  nohup "$JAVA" "${heap_opts[@]}" -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J_FILE" \
    -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG_FILE" \
    >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$KAFKA_PORT" >"$PORT_FILE"

  wait_until_ready "$pid"
}

# Stop a broker pid: SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT.
stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= KAFKA_STOP_TIMEOUT)); then
      err "broker (pid $pid) still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE" "$PORT_FILE"
}

cmd_stop() {
  if [[ -d "$STATE_DIR" ]]; then lock_state; fi
  local pid
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE" "$PORT_FILE"
    log "not running"
    return 0
  fi
  log "stopping broker (pid $pid) ..."
  stop_pid "$pid"
  log "stopped"
}

cmd_status() {
  local pid port
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    echo "not running"
    return 1
  fi
  port="$(running_port)"
  if port_open "$port"; then
    echo "running (pid $pid, $HOST:$port)"
    return 0
  fi
  echo "not running (process $pid exists but $HOST:$port does not answer yet)"
  return 1
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log file at $LOG_FILE"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -F "$LOG_FILE"
  fi
  tail -n 100 "$LOG_FILE"
}

main() {
  require_int KAFKA_PORT "$KAFKA_PORT"
  require_int KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  require_int KAFKA_START_TIMEOUT "$KAFKA_START_TIMEOUT"
  require_int KAFKA_STOP_TIMEOUT "$KAFKA_STOP_TIMEOUT"

  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
      cmd_stop
      cmd_start
      ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
