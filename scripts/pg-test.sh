#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the test suite: `start` or `stop`.
#
# Listens only on 127.0.0.1:$PG_TEST_PORT (default 54329) with trust authentication, keeps
# its data under $PG_TEST_DIR (default /tmp/clientela-pg-test) and runs as the `postgres`
# user, because PostgreSQL refuses to run as root. `start` wipes any earlier data first.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${PG_TEST_PORT:-54329}"
DIR="${PG_TEST_DIR:-/tmp/clientela-pg-test}"
DATA="$DIR/data"
LOG="$DIR/server.log"

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres -- "$@"
    fi
}

start() {
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "pg-test: $PG_BIN/initdb not found; install the postgresql package" >&2
        exit 1
    fi
    stop quiet
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        echo "pg-test: port $PORT is taken; set PG_TEST_PORT to a free port" >&2
        exit 1
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chown postgres: "$DIR" 2>/dev/null || true
    as_postgres "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$DIR/initdb.log"
    # Tuned for a throw-away server: durability off makes the suite faster.
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres clientela
    echo "pg-test: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
}

stop() {
    if [ -f "$DATA/postmaster.pid" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
        [ "${1:-}" = quiet ] || echo "pg-test: stopped"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
