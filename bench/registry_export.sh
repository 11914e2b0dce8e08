#!/usr/bin/env bash
# Registry export benchmark (issue 11): `meijian export` of a registry of at least ROWS records
# (default 1,000,000) from a database, rows streamed from the database into the XLSX writer.
# A demo city (`meijian demo-data`, seed 1) is generated with enough operators for ROWS
# registrations, the registrations are imported into SQLite and, when reachable, into a
# PostgreSQL database created and dropped here; then the export runs under `/usr/bin/time -v`:
# rows, wall time, peak memory (maximum resident set size) and file size. The target: under
# 300 MiB peak for 1,000,000 registry rows.
# Usage: bench/registry_export.sh [ROWS]. Everything generated (files, databases, workbooks)
# goes to target/bench/ (or $CARGO_TARGET_DIR/bench/) and is deleted at the end.
set -euo pipefail
ROWS="${1:-1000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench/registry-export-$$"
mkdir -p "$OUT"
PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="meijian_bench_export_$$"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
pg_created=""
cleanup() {
    rm -rf "$OUT"
    if [[ -n "$pg_created" ]]; then
        psql "$PG_ADMIN" -qc "drop database if exists $PG_DB" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

cargo build --release -q -p meijian --bin meijian
BIN="$TARGET/release/meijian"

# demo-data writes about 0.93 registrations per operator: generate enough, keep ROWS rows (one
# sheet holds at most 1,048,575 rows under its header).
OPS=$(( ROWS * 110 / 100 + 1000 ))
"$BIN" demo-data --operators "$OPS" --seed 1 --city 370400 --out "$OUT/data" >/dev/null
FILE="$OUT/registrations-$ROWS.csv"
head -n "$((ROWS + 1))" "$OUT/data/registrations.csv" > "$FILE"
rm -rf "$OUT/data"
echo "file: $(basename "$FILE"), $(( $(wc -l < "$FILE") - 1 )) rows, $(du -h "$FILE" | cut -f1)"

measure() { # label, database url → "label rows wall_s peak_mib file_mib"
    local label="$1" url="$2"
    local log; log="$(mktemp)"
    local xlsx="$OUT/registrations-$label.xlsx"
    if ! /usr/bin/time -v "$BIN" export registrations --region 370400 --out "$xlsx" \
        --database-url "$url" > "$log.out" 2> "$log"; then
        cat "$log.out" "$log" >&2
        return 1
    fi
    local rows wall rss size
    rows=$(grep -o '[0-9]\+ 条记录' "$log.out" | grep -o '[0-9]\+')
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    size=$(awk -v b="$(stat -c %s "$xlsx")" 'BEGIN {printf "%.1f", b / 1048576}')
    rm -f "$log" "$log.out" "$xlsx"
    printf '%-12s %10s %10s %14s %10s\n' "$label" "$rows" "$wall" "$rss" "$size"
}

load() { # database url
    local t0=$SECONDS
    "$BIN" import registrations "$FILE" --database-url "$1" | grep -E '读取|用时' >&2
    echo "  (import $(( SECONDS - t0 )) s)" >&2
}

results="$(mktemp)"
echo "import sqlite:" >&2
load "sqlite:$OUT/bench.db"
measure sqlite "sqlite:$OUT/bench.db" >> "$results"
rm -f "$OUT/bench.db" "$OUT/bench.db-wal" "$OUT/bench.db-shm"
if psql "$PG_ADMIN" -qc "create database $PG_DB" >/dev/null 2>&1; then
    pg_created=1
    echo "import postgresql:" >&2
    load "$PG_URL"
    measure postgresql "$PG_URL" >> "$results"
else
    echo "PostgreSQL not reachable at $PG_ADMIN: skipped" >&2
fi

printf '\n%-12s %10s %10s %14s %10s\n' "database" "rows" "wall (s)" "peak RSS (MiB)" "file (MiB)"
cat "$results"
rm -f "$results"
