#!/usr/bin/env bash
# Start the local test services: a single-node Kafka broker (KRaft, combined
# broker + controller) and PostgreSQL. Idempotent: services that already run
# are only reported.
#
#   scripts/services-up.sh [kafka|postgres]...   (default: both)
#
# Environment: ENRICHER_SERVICES_DIR (state dir, default <repo>/.services),
# KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), POSTGRES_PORT (5432),
# KAFKA_HEAP_OPTS (-Xmx1g -Xms1g), ENRICHER_SERVICES_ENV (the env file,
# default <repo>/.services.env).
# Writes the env file with KAFKA_BROKERS and DATABASE_URL.
#
# services-down.sh sources this file for its settings and helpers; main only
# runs when the file is executed.
set -euo pipefail

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$SCRIPTS_DIR")
STATE_DIR=${ENRICHER_SERVICES_DIR:-$REPO_DIR/.services}
ENV_FILE=${ENRICHER_SERVICES_ENV:-$REPO_DIR/.services.env}

KAFKA_PORT=${KAFKA_PORT:-9092}
# Recorded in the metadata log at format time: keep it once formatted.
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
POSTGRES_PORT=${POSTGRES_PORT:-5432}
# The whole heap from the start: the broker's live data (some 180 MB after a
# few large jobs) is over a third of a smaller one, so G1 began a concurrent
# cycle after nearly every young collection (32 of them in a 1M-contact job;
# with the whole heap none, and the broker's CPU 3.6-5.1 s -> 2.8-3.2 s).
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1g -Xms1g}

KAFKA_DIR=$STATE_DIR/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_CONFIG=$KAFKA_DIR/server.properties
KAFKA_LOG=$KAFKA_DIR/kafka.log
KAFKA_PID=$KAFKA_DIR/kafka.pid

# newest_pg_bin: the newest PostgreSQL server binaries (Debian layout), or "".
newest_pg_bin() {
  local initdb
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)
  if [[ -x $initdb ]]; then dirname "$initdb"; fi
}
PG_BIN=$(newest_pg_bin)

# shellcheck disable=SC2034 # used by services-down.sh
STOP_TIMEOUT=20   # seconds before a graceful stop turns into kill -9
START_TIMEOUT=120 # seconds for a service to become ready

say() { echo "services: $*"; }
die() { echo "services: error: $*" >&2; exit 1; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# runs PID TEXT: process PID is alive and its command line contains TEXT. The
# pid may be stale and reused by now; a dead process may linger as a zombie
# for a while (pid 1 reaps late here), which kill -0 counts as alive, but its
# command line is empty.
runs() {
  [[ $1 =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# wait_gone PID SECONDS: until PID is gone (reaped); fails on timeout.
wait_gone() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# wait_port_free PORT: until nothing listens on PORT; fails after 15 s. A
# process killed with -9 a moment ago may still hold its sockets.
wait_port_free() {
  local deadline=$((SECONDS + 15))
  while port_open "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# apt_install PKG...: install Debian packages (root only), updating once.
APT_UPDATED=
apt_install() {
  ((EUID == 0)) || die "need Debian packages $*; run as root or install them"
  say "installing $* (apt)"
  if [[ -z $APT_UPDATED ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------- Kafka ----

# kafka_pid: print the pid of our broker if it runs (ignores a stale pid file).
kafka_pid() {
  local pid
  pid=$(cat "$KAFKA_PID" 2>/dev/null) && runs "$pid" "kafka.Kafka $KAFKA_CONFIG" && echo "$pid"
}

ensure_java() {
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1) || true
  if [[ -z $v || $v -lt 17 ]]; then
    apt_install openjdk-17-jre-headless
  fi
}

# fetch_kafka_jars: copy the broker's jars (scripts/kafka/pom.xml) into
# $KAFKA_LIBS, again only when the POM changed.
fetch_kafka_jars() {
  local pom=$SCRIPTS_DIR/kafka/pom.xml sum
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  [[ -f $KAFKA_LIBS/.pom.sha256 && $(cat "$KAFKA_LIBS/.pom.sha256") == "$sum" ]] && return
  command -v mvn >/dev/null || apt_install maven
  say "fetching Kafka jars (mvn)"
  rm -rf "$KAFKA_LIBS" "$KAFKA_LIBS.tmp"
  mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" </dev/null >"$KAFKA_DIR/mvn.log" 2>&1 ||
    { tail -30 "$KAFKA_DIR/mvn.log" >&2; die "mvn could not fetch the Kafka jars"; }
  echo "$sum" >"$KAFKA_LIBS.tmp/.pom.sha256"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

start_kafka() {
  local pid
  if pid=$(kafka_pid); then
    say "kafka already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"
    return
  fi
  rm -f "$KAFKA_PID" # stale after a kill -9
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    wait_port_free "$port" || die "port $port is in use by another process (not our broker)"
  done

  local start=$SECONDS
  mkdir -p "$KAFKA_DIR"
  ensure_java
  fetch_kafka_jars
  # Only the JIT's first tier (-XX:TieredStopAtLevel=1): a broker started
  # for tests and benchmarks spends its first runs compiling with the
  # second tier, several seconds of CPU a run taken from what runs beside
  # it, and is no faster for it in the runs after (README, Performance).
  # shellcheck disable=SC2206 # KAFKA_HEAP_OPTS holds several options
  local java=(java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -XX:TieredStopAtLevel=1
    -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$SCRIPTS_DIR/kafka/log4j2.properties"
    -cp "$KAFKA_LIBS/*")
  sed -e "s/@KAFKA_PORT@/$KAFKA_PORT/g" -e "s/@CONTROLLER_PORT@/$KAFKA_CONTROLLER_PORT/g" \
    -e "s#@LOG_DIR@#$KAFKA_DATA#g" "$SCRIPTS_DIR/kafka/server.properties" >"$KAFKA_CONFIG"

  if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
    # A cluster id is 16 random bytes in URL-safe base64 without padding.
    # One that starts with "-" reads as an option to the storage tool (about
    # one in 64): draw again, as Kafka's own generator does.
    local cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    say "formatting kafka storage in $KAFKA_DATA"
    rm -rf "$KAFKA_DATA"
    "${java[@]}" kafka.tools.StorageTool format --standalone --cluster-id="$cluster_id" \
      -c "$KAFKA_CONFIG" >"$KAFKA_DIR/format.log" 2>&1 ||
      { tail -20 "$KAFKA_DIR/format.log" >&2; die "kafka storage format failed"; }
  fi

  [[ -f $KAFKA_LOG ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  say "starting kafka (log: $KAFKA_LOG)"
  # setsid: own session, so the broker outlives the calling make or shell.
  # (No job control here, so setsid does not fork and $! is the JVM.)
  (cd "$KAFKA_DIR" && exec setsid nohup "${java[@]}" kafka.Kafka "$KAFKA_CONFIG" \
    </dev/null >"$KAFKA_LOG" 2>&1) &
  echo $! >"$KAFKA_PID"
  wait_kafka "$start"
}

# wait_kafka START: until the broker logs that it started and the port answers.
wait_kafka() {
  local deadline=$((SECONDS + START_TIMEOUT)) pid
  pid=$(cat "$KAFKA_PID")
  while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    if grep -qs 'Kafka Server started' "$KAFKA_LOG" && port_open "$KAFKA_PORT"; then
      say "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $pid, $((SECONDS - $1)) s)"
      return
    fi
    sleep 0.2
  done
  echo "--- last lines of $KAFKA_LOG" >&2
  tail -30 "$KAFKA_LOG" >&2 || true
  die "kafka did not start (exited or not ready within ${START_TIMEOUT} s)"
}

# ------------------------------------------------------------- Postgres ----

# ensure_postgres: PG_BIN has the server binaries, installing them if needed.
ensure_postgres() {
  [[ -n $PG_BIN && -x $PG_BIN/initdb ]] && return
  apt_install postgresql
  PG_BIN=$(newest_pg_bin)
  [[ -n $PG_BIN ]] || die "no initdb under /usr/lib/postgresql after installing postgresql"
  # Debian's package may start its own "main" cluster on 5432: stop it.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h | awk '$4 == "online" {print $1, $2}' | while read -r ver name; do
      pg_ctlcluster "$ver" "$name" stop || true
    done
  fi
}

# pg_dir: where postgres keeps its data, socket and log. As root the server
# runs as user postgres, which must be able to reach that dir; otherwise the
# dir moves under /var/tmp.
pg_dir() {
  if ((EUID == 0)) && ! runuser -u postgres -- test -x "$STATE_DIR" 2>/dev/null; then
    echo "/var/tmp/enricher-services-$(echo "$STATE_DIR" | sha256sum | cut -c1-12)/postgres"
  else
    echo "$STATE_DIR/postgres"
  fi
}

# as_pg CMD...: run CMD as the postgres user when root (postgres refuses root).
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_pid DIR: print the pid of our postmaster (data in DIR/data) if it runs.
pg_pid() {
  local pid
  pid=$(head -1 "$1/data/postmaster.pid" 2>/dev/null) && runs "$pid" "-D $1/data" && echo "$pid"
}

start_postgres() {
  local dir
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  dir=$(pg_dir)
  ensure_postgres
  if pg_pid "$dir" >/dev/null; then
    say "postgres already running on 127.0.0.1:$POSTGRES_PORT (data: $dir/data)"
    return
  fi
  wait_port_free "$POSTGRES_PORT" || die "port $POSTGRES_PORT is in use by another process (not our postgres)"
  [[ $dir == "$STATE_DIR"/* ]] || say "user postgres cannot reach $STATE_DIR; postgres data in $dir"

  local start=$SECONDS
  mkdir -p "$dir"
  ((EUID != 0)) || chown postgres: "$dir"
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    say "initdb in $dir/data"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
      { tail -20 "$dir/initdb.log" >&2; die "initdb failed"; }
    # A throwaway test database: no fsync (only an OS crash could lose data),
    # but commits stay synchronous so that a killed server keeps what it acked.
    cat >>"$dir/data/postgresql.conf" <<EOF

# enricher test instance (scripts/services-up.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
max_connections = 200
# A job stores a row per contact: a million contacts write over a gigabyte
# of WAL, and at the default max_wal_size (1GB) each such job forced
# checkpoints while it ran. As for any bulk load, more room between them.
max_wal_size = 8GB
checkpoint_timeout = 15min
EOF
  fi

  # After a kill -9 the dead postmaster may still be a zombie, which postgres
  # takes for a running server: wait for it to go, then drop the lock file.
  local stale
  if stale=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null) && [[ $stale =~ ^[0-9]+$ ]] &&
    ! wait_gone "$stale" 20; then
    say "pid $stale in $dir/data/postmaster.pid is not our postgres: removing the file"
    rm -f "$dir/data/postmaster.pid"
  fi

  say "starting postgres (log: $dir/postgres.log)"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "-p $POSTGRES_PORT" \
    -w -t "$START_TIMEOUT" start >/dev/null ||
    { tail -20 "$dir/postgres.log" >&2; die "postgres did not start"; }

  local deadline=$((SECONDS + START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT"; do
    ((SECONDS < deadline)) || die "postgres not ready within ${START_TIMEOUT} s"
    sleep 0.2
  done
  local psql=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres)
  if [[ -z $("${psql[@]}" -Atc "select 1 from pg_database where datname = 'enricher'") ]]; then
    "${psql[@]}" -c 'create database enricher'
  fi
  say "postgres ready on 127.0.0.1:$POSTGRES_PORT (database enricher, $((SECONDS - start)) s)"
}

write_env() {
  cat >"$ENV_FILE" <<EOF
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
DATABASE_URL=postgres://postgres@127.0.0.1:$POSTGRES_PORT/enricher?sslmode=disable
EOF
}

main() {
  local want=("$@")
  ((${#want[@]})) || want=(kafka postgres)
  local s
  for s in "${want[@]}"; do
    case $s in
    kafka) start_kafka ;;
    postgres) start_postgres ;;
    *) die "usage: $0 [kafka|postgres]..." ;;
    esac
  done
  write_env
  say "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  say "DATABASE_URL=postgres://postgres@127.0.0.1:$POSTGRES_PORT/enricher?sslmode=disable"
  say "wrote $ENV_FILE"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
