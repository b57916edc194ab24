#!/usr/bin/env bash
# Stop the local test services started by services-up.sh. Idempotent.
#
#   scripts/services-down.sh [--purge] [kafka|postgres]...   (default: both)
#
# Data is kept; --purge also deletes the state dir (data, logs, jars).
# The env file (ENRICHER_SERVICES_ENV, default <repo>/.services.env) is
# removed once neither service runs. Same environment as services-up.sh.
set -euo pipefail

# Settings and helpers (paths, ports, kafka_pid, pg_dir, as_pg, ...).
# shellcheck source=services-up.sh
source "$(dirname "${BASH_SOURCE[0]}")/services-up.sh"

stop_kafka() {
  local pid
  if ! pid=$(kafka_pid); then
    rm -f "$KAFKA_PID"
    say "kafka not running"
    return
  fi
  say "stopping kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
    say "kafka still running after ${STOP_TIMEOUT} s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "cannot kill kafka (pid $pid)"
  fi
  rm -f "$KAFKA_PID"
  say "kafka stopped"
}

stop_postgres() {
  local dir pid
  dir=$(pg_dir)
  if ! pid=$(pg_pid "$dir"); then
    say "postgres not running"
    return
  fi
  say "stopping postgres (pid $pid)"
  # "fast" mode: roll back open transactions and disconnect clients.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null; then
    say "postgres still running after ${STOP_TIMEOUT} s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "cannot kill postgres (pid $pid)"
  fi
  say "postgres stopped"
}

main_down() {
  local purge='' want=() s
  for s in "$@"; do
    case $s in
    --purge) purge=1 ;;
    kafka | postgres) want+=("$s") ;;
    *) die "usage: $0 [--purge] [kafka|postgres]..." ;;
    esac
  done
  ((${#want[@]})) || want=(kafka postgres)
  if [[ -n $purge ]]; then
    ((${#want[@]} == 2)) || die "--purge deletes the state of both services: use it without kafka|postgres"
    case $STATE_DIR in / | "$HOME" | "$REPO_DIR") die "refusing to purge $STATE_DIR" ;; esac
  fi
  for s in "${want[@]}"; do
    "stop_$s"
  done

  if ! kafka_pid >/dev/null && ! pg_pid "$(pg_dir)" >/dev/null; then
    rm -f "$ENV_FILE"
  fi
  if [[ -n $purge ]]; then
    local pgdir
    pgdir=$(pg_dir)
    say "deleting $STATE_DIR"
    rm -rf "$STATE_DIR"
    # The postgres dir lives elsewhere when user postgres cannot reach the repo.
    [[ $pgdir == "$STATE_DIR"/* ]] || rm -rf "$(dirname "$pgdir")"
  fi
}

main_down "$@"
