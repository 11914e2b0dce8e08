#!/usr/bin/env bash
# Import benchmark (issue 3): ROWS registration rows from CSV into SQLite and PostgreSQL,
# beside a bare CSV parse and the validating reader on the same file, in one run.
# Usage: bench/import.sh [ROWS]   (default 1000000). Data goes to target/bench/ (or
# $CARGO_TARGET_DIR/bench/), never committed.
set -euo pipefail
ROWS="${1:-1000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench"
mkdir -p "$OUT"
cargo build --release -q -p meijian --bin meijian
cargo build --release -q -p meijian-registry --example parse
BIN="$TARGET/release/meijian"
PARSE="$TARGET/release/examples/parse"

# demo-data writes about 0.93 registrations per operator; generate enough, keep ROWS rows.
DATA="$OUT/data-$ROWS"
FILE="$DATA/registrations-$ROWS.csv"
if [[ ! -f "$FILE" ]]; then
    OPS=$(( ROWS * 110 / 100 + 1000 ))
    "$BIN" demo-data --operators "$OPS" --seed 1 --out "$DATA" >/dev/null
    head -n "$((ROWS + 1))" "$DATA/registrations.csv" > "$FILE"
fi
echo "file: $FILE ($(( $(wc -l < "$FILE") - 1 )) rows, $(du -h "$FILE" | cut -f1))"

measure() { # label, command…  → "label wall_s peak_mib"
    local label="$1"; shift
    local log; log="$(mktemp)"
    /usr/bin/time -v "$@" > /dev/null 2> "$log"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    rm -f "$log"
    printf '%s\t%s\t%s\n' "$label" "$wall" "$rss"
}

PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_URL="${PG_ADMIN%/*}/meijian_bench"
results="$(mktemp)"
measure "bare csv parse" "$PARSE" bare registrations "$FILE" >> "$results"
measure "validating reader" "$PARSE" reader registrations "$FILE" >> "$results"
rm -f "$OUT/bench.db" "$OUT/bench.db-wal" "$OUT/bench.db-shm"
measure "import sqlite" "$BIN" import registrations "$FILE" --database-url "sqlite:$OUT/bench.db" >> "$results"
if psql "$PG_ADMIN" -qc "drop database if exists meijian_bench" -c "create database meijian_bench" 2>/dev/null; then
    measure "import postgresql" "$BIN" import registrations "$FILE" --database-url "$PG_URL" >> "$results"
else
    echo "PostgreSQL not reachable at $PG_ADMIN: skipped" >&2
fi

base=$(awk -F'\t' 'NR == 1 {print $2}' "$results")
printf '\n%-20s %10s %10s %12s %10s\n' "step" "wall s" "rows/s" "× bare parse" "peak MiB"
awk -F'\t' -v rows="$ROWS" -v base="$base" '{ printf "%-20s %10.2f %10.0f %12.1f %10s\n", $1, $2, rows / ($2 > 0 ? $2 : 0.001), $2 / (base > 0 ? base : 0.001), $3 }' "$results"
rm -f "$results"
