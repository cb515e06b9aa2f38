#!/usr/bin/env bash
# Starts, stops or reports a Docker engine for the end-to-end tests (run as root).
#
#   scripts/dockerd.sh start    # no-op if an engine already answers; else start our own dockerd
#   scripts/dockerd.sh stop     # stop the dockerd this script started (never anyone else's)
#   scripts/dockerd.sh status   # one line; exit 0 if the engine answers, 3 if not
#
# The test machines have no bridge/iptables support, so the engine runs with --bridge=none and no
# iptables rules: containers get --network host (servers bound to 127.0.0.1) or --network none.
set -euo pipefail

PIDFILE=/run/confine-dockerd.pid
LOGFILE=/var/log/confine-dockerd.log
START_TIMEOUT=30   # seconds to wait for `docker info` after starting
STOP_TIMEOUT=60    # dockerd gives running containers 10-15 s to stop, then needs a moment itself

# Debian's docker.io client matches the engine; another client on PATH may be newer than the API.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

engine_answers() { "$DOCKER" info >/dev/null 2>&1; }

# The pid in our pid file, if it is still a live dockerd (a stale file after a reboot or crash may
# name an unrelated process, which we must not signal).
our_pid() {
  local pid
  [ -r "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

start() {
  local pid
  if engine_answers; then
    if pid=$(our_pid); then
      echo "dockerd: already running (pid $pid, started earlier by this script)"
    else
      echo "dockerd: already running (not started by this script; left alone)"
    fi
    return 0
  fi
  if pid=$(our_pid); then
    # Ours, alive, but not answering yet (still starting, or wedged): wait instead of starting twice.
    echo "dockerd: pid $pid from $PIDFILE is alive but not answering; waiting" >&2
  else
    command -v dockerd >/dev/null || { echo "dockerd: not installed (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$(dirname "$LOGFILE")"
    echo "=== $(date -Is) scripts/dockerd.sh start" >>"$LOGFILE"
    # setsid: its own session, so a test runner that kills our process group does not take the
    # engine down with it. In a non-interactive shell the background child is not a group leader,
    # so setsid execs dockerd in place and $! is dockerd's pid.
    setsid dockerd --bridge=none --iptables=false --ip6tables=false \
      </dev/null >>"$LOGFILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PIDFILE"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      echo "dockerd: exited during start-up; last lines of $LOGFILE:" >&2
      tail -n 20 "$LOGFILE" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "dockerd: pid $pid not answering after ${START_TIMEOUT}s; see $LOGFILE" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "dockerd: started (pid $pid, log $LOGFILE)"
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PIDFILE"
    if engine_answers; then
      echo "dockerd: not started by this script; leaving it running"
    else
      echo "dockerd: not running"
    fi
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "dockerd: pid $pid still running after ${STOP_TIMEOUT}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PIDFILE"
  echo "dockerd: stopped (pid $pid)"
}

status() {
  local pid who="not started by this script"
  pid=$(our_pid) && who="pid $pid, started by this script"
  if engine_answers; then
    echo "dockerd: running ($who; $("$DOCKER" version --format 'server {{.Server.Version}}' 2>/dev/null || echo 'version unknown'))"
  else
    echo "dockerd: not answering${pid:+ (pid $pid alive, started by this script)}"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
