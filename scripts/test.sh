#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then pytest.
#   ./scripts/test.sh [pytest args...]
# Creates .venv (Python deps + the compiled C core) on first use; later runs reuse it.
# Starts a throwaway PostgreSQL server for the service's storage tests (installing Debian's
# `postgresql` package if its binaries are missing) unless TICKETKING_TEST_POSTGRES_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
ensure_venv "[test]"

# The real peers of the interop tests (snarkjs, circom2, circomlibjs), pinned by the lock file.
if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules ]; then
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

# --- PostgreSQL: initdb into a temp dir, serve on a free loopback port, stop on exit ----------
PG_BIN=""
PG_DIR=""
PG_RUN=()

find_pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do   # glob order: the highest version wins
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; fi
    done
    if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"
    fi
}

stop_postgres() {
    if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
        (cd "$PG_DIR" && "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop) \
            >/dev/null 2>&1 || true
    fi
    [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
}

start_postgres() {
    find_pg_bin
    if [ -z "$PG_BIN" ]; then
        echo "test.sh: installing PostgreSQL (apt-get install postgresql)..." >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
        find_pg_bin
    fi
    if [ -z "$PG_BIN" ]; then
        echo "test.sh: no PostgreSQL found; its tests will skip (or fail in CI)" >&2
        return
    fi
    PG_DIR="$(mktemp -d /tmp/ticketking-pg.XXXXXX)"
    trap stop_postgres EXIT
    chmod 700 "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        # postgres refuses to run as root: run it as the unprivileged `postgres` user.
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        chown postgres "$PG_DIR"
        PG_RUN=(runuser -u postgres --)
    fi
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    (cd "$PG_DIR" && "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust \
        -E UTF8 --no-locale --no-sync) >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    # Durability is irrelevant for a throwaway test server: trade it for speed.
    (cd "$PG_DIR" && "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
        -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start) \
        >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
    export TICKETKING_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

if [ -z "${TICKETKING_TEST_POSTGRES_URL:-}" ]; then
    start_postgres
fi

# Not exec: the EXIT trap must still stop PostgreSQL after pytest.
status=0
.venv/bin/python -m pytest "$@" || status=$?
exit "$status"
