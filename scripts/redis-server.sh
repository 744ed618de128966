#!/usr/bin/env bash
# A throw-away redis-server on a loopback port for the tests (never the system service).
#
#   FINAUTH_TEST_REDIS_URL=$(bash scripts/redis-server.sh start)   # prints redis://127.0.0.1:PORT/0
#   bash scripts/redis-server.sh stop [URL]                          # default: $FINAUTH_TEST_REDIS_URL
#   bash scripts/redis-server.sh restart [URL]                       # stop, then start on the same port
#
# `start` uses the server of $FINAUTH_TEST_REDIS_URL as it is if that answers PING. Otherwise it
# installs the Debian package redis-server (apt-get) when redis-server is missing, picks a free
# port (or the port of $FINAUTH_TEST_REDIS_URL if set), runs it daemonized on 127.0.0.1 without
# persistence, with its pid file, log and working directory under $CARGO_TARGET_DIR/redis-PORT,
# waits until it answers PING, and prints its URL on stdout (everything else goes to stderr).
# `stop` stops only a server this script started (by its pid file).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

port_of() { # URL -> port
  local u="${1#*://}"; u="${u##*@}"; u="${u%%/*}"
  case "$u" in *:*) echo "${u##*:}" ;; *) echo 6379 ;; esac
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

ensure_installed() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "installing redis-server (apt-get)" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq redis-server >&2
    # Installing starts the system service; the tests never use it (their own port and
    # directory), so leave the machine as it was: not running.
    "${SUDO[@]}" service redis-server stop >/dev/null 2>&1 || true
  fi
}

start() {
  ensure_installed
  # A server already named by FINAUTH_TEST_REDIS_URL that answers is used as it is.
  if [ -n "${FINAUTH_TEST_REDIS_URL:-}" ] && redis-cli -u "$FINAUTH_TEST_REDIS_URL" ping 2>/dev/null | grep -q PONG; then
    echo "$FINAUTH_TEST_REDIS_URL"
    return
  fi
  local port
  if [ -n "${FINAUTH_TEST_REDIS_URL:-}" ]; then port="$(port_of "$FINAUTH_TEST_REDIS_URL")"; else port="$(free_port)"; fi
  local dir="$TARGET/redis-$port"
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "redis-server already answers on 127.0.0.1:$port" >&2
  else
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" \
      --save '' --appendonly no --protected-mode yes >&2
    local i
    for i in $(seq 1 100); do
      redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
      sleep 0.05
    done
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 || {
      echo "error: redis-server did not start on 127.0.0.1:$port; log:" >&2
      tail -n 20 "$dir/redis.log" >&2 || true
      exit 1
    }
  fi
  echo "redis://127.0.0.1:$port/0"
}

stop() {
  local url="${1:-${FINAUTH_TEST_REDIS_URL:-}}"
  [ -n "$url" ] || { echo "usage: $0 stop URL (or set FINAUTH_TEST_REDIS_URL)" >&2; exit 2; }
  local port; port="$(port_of "$url")"
  local pidfile="$TARGET/redis-$port/redis.pid"
  if [ -f "$pidfile" ]; then
    local pid; pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$pidfile"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  restart) FINAUTH_TEST_REDIS_URL="${2:-${FINAUTH_TEST_REDIS_URL:-}}"; stop "$FINAUTH_TEST_REDIS_URL"; start ;;
  *) echo "usage: $0 start | stop [URL] | restart [URL]" >&2; exit 2 ;;
esac
