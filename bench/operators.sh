#!/usr/bin/env bash
# 主体库 benchmark (issue 11): what bringing the lasting operator record up to a stored
# cross-check adds to the run, on SQLite and PostgreSQL. A city of OPERATORS operators from
# `meijian demo-data` (480,000 make about 1,000,000 records) is imported, as full exports, into a
# fresh database; `meijian reconcile --region 370400` then runs twice: the first run inserts every
# operator, the second (same data, nothing changed) should write almost nothing. Each run prints
# `用时：读取 … 比对 … 写入比对结果 … 更新主体库 …`; the ratio reported is
# 更新主体库 / (读取 + 比对 + 写入比对结果). The requirement: at most 20 %.
#
# Usage: bench/operators.sh [OPERATORS]   (default 480000; e.g. 20000 for a quick run)
# Environment: MEIJIAN_TEST_DATABASE_URL  PostgreSQL admin URL (default
#                postgres://postgres@127.0.0.1:5432/postgres); the database meijian_bench_ops is
#                created there and dropped at the end. PostgreSQL is skipped when unreachable.
#              MEIJIAN_BIN=PATH  measure this binary instead of building one (when the tree
#                does not build, or to measure a given build).
#              KEEP=1  keep the generated data, databases and binary copy (default: all removed).
# Data goes to $CARGO_TARGET_DIR/bench-data/ (or target/bench-data/), never committed.
set -euo pipefail
OPS="${1:-480000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
REGION="370400"      # the city of demo-data
AS_OF="2026-11-22"   # the as-of date of demo-data; fixed so that both runs judge the same way
REGISTRIES=(registrations licenses salon_filings platform_merchants tax)
PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="meijian_bench_ops"
PG_URL="${PG_ADMIN%/*}/$PG_DB"

# The binary is copied, so that a rebuild during the benchmark does not change what is measured.
mkdir -p "$TARGET/bench-bin"
BIN="$TARGET/bench-bin/meijian"
if [[ -z "${MEIJIAN_BIN:-}" ]]; then
    cargo build --release -q -p meijian --bin meijian
    cp "$TARGET/release/meijian" "$BIN"
elif [[ ! "$MEIJIAN_BIN" -ef "$BIN" ]]; then
    cp "$MEIJIAN_BIN" "$BIN"
fi

DATA="$TARGET/bench-data"
DIR="$DATA/ops-$OPS"
LOGS="$DATA/logs-$OPS"
SQLITE_DB="$DATA/ops.db"
mkdir -p "$DATA" "$LOGS"
pg_created=0
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept: $DATA, $BIN$([[ $pg_created == 1 ]] && echo ", $PG_URL")" >&2
        return
    fi
    if [[ $pg_created == 1 ]]; then
        psql "$PG_ADMIN" -qc "drop database if exists $PG_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA" "$BIN"
    rmdir "$TARGET/bench-bin" 2>/dev/null || true
}
trap cleanup EXIT

seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$1"; }
peak_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
fail() { echo "$1 failed:" >&2; tail -n 20 "$2" >&2; exit 1; }

if [[ ! -f "$DIR/ground_truth.csv" ]]; then
    echo "== demo-data: $OPS operators" >&2
    "$BIN" demo-data --operators "$OPS" --seed 1 --out "$DIR" > "$LOGS/demo-data.log" 2>&1 ||
        fail "demo-data" "$LOGS/demo-data.log"
fi
echo "   $(( $(wc -l < "$DIR/ground_truth.csv") - 1 )) records in the generated files" >&2

rows=()
# bench BACKEND URL: migrate, import the five registries, reconcile twice.
bench() {
    local backend="$1" url="$2" log
    echo "== $backend: migrate, import" >&2
    log="$LOGS/$backend-migrate.log"
    "$BIN" migrate --database-url "$url" > "$log" 2>&1 || fail "migrate ($backend)" "$log"
    for reg in "${REGISTRIES[@]}"; do
        log="$LOGS/$backend-import-$reg.log"
        # A full export (the default, not --partial): the whole registry of the city.
        "$BIN" import "$reg" "$DIR/$reg.csv" --database-url "$url" > "$log" 2>&1 ||
            fail "import $reg ($backend)" "$log"
        echo "   $reg: $(grep -E '读取 [0-9]+ 行' "$log" | sed 's/^ *//')" >&2
    done
    local run
    for run in first second; do
        echo "== $backend: reconcile ($run run)" >&2
        log="$LOGS/$backend-reconcile-$run"
        /usr/bin/time -v "$BIN" reconcile --region "$REGION" --as-of "$AS_OF" --database-url "$url" \
            > "$log.log" 2> "$log.time" || { cat "$log.log" >&2; fail "reconcile ($backend, $run)" "$log.time"; }
        grep -E "比对基准日|用时|与上次比对" "$log.log" | sed 's/^/   /' >&2
        local records rd link write ops
        records=$(sed -n 's/.*：\([0-9]*\) 条记录归并为.*/\1/p' "$log.log")
        read -r rd link write ops <<< "$(sed -n \
            's/.*用时：读取 \([0-9.]*\) 秒，比对 \([0-9.]*\) 秒，写入比对结果 \([0-9.]*\) 秒，更新主体库 \([0-9.]*\) 秒.*/\1 \2 \3 \4/p' \
            "$log.log")"
        [[ -n "$ops" ]] || { echo "no 用时 line in the output of reconcile ($backend, $run)" >&2; exit 1; }
        rows+=("$(awk -v b="$backend" -v r="$run" -v n="$records" -v rd="$rd" -v l="$link" -v w="$write" \
            -v o="$ops" -v wall="$(seconds "$log.time")" -v mib="$(peak_mib "$log.time")" 'BEGIN {
            base = rd + l + w
            printf "%-10s %-6s %9s %7.1f %7.1f %7.1f %10.1f %7s %8.1f %8s", b, r, n, rd, l, w, o,
                (base > 0 ? sprintf("%.1f", 100 * o / base) : "-"), wall, mib }')")
    done
}

rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
bench sqlite "sqlite:$SQLITE_DB"
if psql "$PG_ADMIN" -qc "drop database if exists $PG_DB" -c "create database $PG_DB" >/dev/null 2>&1; then
    pg_created=1
    bench postgresql "$PG_URL"
else
    echo "PostgreSQL not reachable at $PG_ADMIN: skipped" >&2
fi

echo
echo "$OPS operators; ratio = operator-record / (read + link + write)"
printf '%-10s %-6s %9s %7s %7s %7s %10s %7s %8s %8s\n' backend run records "read s" "link s" "write s" \
    "op-rec s" "ratio %" "wall s" "peak MiB"
printf '%s\n' "${rows[@]}"
