#!/usr/bin/env bash
# Export benchmark (issue 11): ROWS registry-like rows (10 columns, Chinese text) written to XLSX
# through meijian-exports (streamed, constant-memory worksheet) beside the way the exports were
# written before it (every row held as Vec<Vec<String>>, one workbook built in memory), in one
# run: wall time, peak memory (`/usr/bin/time -v`, maximum resident set size) and file size.
# Usage: bench/export.sh [ROWS]   (default 1000000). Files go to target/bench/ (or
# $CARGO_TARGET_DIR/bench/), never committed. The target: under 300 MiB peak for 1,000,000 rows.
set -euo pipefail
ROWS="${1:-1000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench"
mkdir -p "$OUT"
cargo build --release -q -p meijian-exports --example export_bench
BIN="$TARGET/release/examples/export_bench"

measure() { # mode → "mode wall_s peak_mib file_mib"
    local mode="$1"
    local file="$OUT/export-$mode-$ROWS.xlsx"
    local log; log="$(mktemp)"
    /usr/bin/time -v "$BIN" "$mode" "$ROWS" "$file" > /dev/null 2> "$log"
    local wall rss size
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    size=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b / 1048576}')
    rm -f "$log" "$file"
    printf '%-28s %10s %14s %10s\n' "$mode" "$wall" "$rss" "$size"
}

echo "rows: $ROWS"
printf '%-28s %10s %14s %10s\n' "writer" "wall (s)" "peak RSS (MiB)" "file (MiB)"
measure stream   # meijian-exports
measure memory   # the former way
