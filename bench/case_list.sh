#!/usr/bin/env bash
# Case list benchmark (issue 12): `cases::list` (the page of 50 and the total) over CASES
# generated cases (default 1,000,000) as the city's leader and as a district officer, filtered
# by district, stage and category (COMBOS random combinations, default 200; pages 1 and 5), plus
# the unfiltered first page and the overdue filter; p50/p95/max in ms, then the count and the
# page of representative queries split apart with their plans. Target: p95 under 100 ms.
# Runs on a fresh SQLite file under /tmp and on a fresh PostgreSQL database (created and dropped
# here; skipped when the server is not reachable). Everything generated is deleted at the end.
# Usage: bench/case_list.sh [CASES] [COMBOS]
#        BACKENDS="sqlite" bench/case_list.sh ...   (or "postgres"; default both)
set -euo pipefail
CASES="${1:-1000000}"
COMBOS="${2:-200}"
BACKENDS="${BACKENDS:-sqlite postgres}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
DIR="$(mktemp -d /tmp/meijian-case-list.XXXXXX)"
PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="meijian_bench_case_list_$$"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
pg_created=""
cleanup() {
    rm -rf "$DIR"
    if [[ -n "$pg_created" ]]; then
        psql "$PG_ADMIN" -qc "drop database if exists $PG_DB" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

cargo build --release -q -p meijian-store --example case_list_bench
BIN="$TARGET/release/examples/case_list_bench"

for backend in $BACKENDS; do
    case "$backend" in
    sqlite)
        echo "== SQLite ($DIR/cases.db)"
        "$BIN" "sqlite://$DIR/cases.db" "$CASES" "$COMBOS" --explain
        echo "database file: $(du -sh "$DIR" | cut -f1)"
        rm -f "$DIR"/cases.db*
        ;;
    postgres)
        if psql "$PG_ADMIN" -qc "create database $PG_DB" >/dev/null 2>&1; then
            pg_created=1
            echo "== PostgreSQL ($PG_DB, $(psql "$PG_ADMIN" -tAc 'show server_version'))"
            "$BIN" "$PG_URL" "$CASES" "$COMBOS" --explain
            echo "database size: $(psql "$PG_URL" -tAc "select pg_size_pretty(pg_database_size(current_database()))")"
            psql "$PG_ADMIN" -qc "drop database if exists $PG_DB" >/dev/null
            pg_created=""
        else
            echo "PostgreSQL not reachable at $PG_ADMIN: skipped" >&2
        fi
        ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
done
