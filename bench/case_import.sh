#!/usr/bin/env bash
# History import benchmark: ROWS penalty rows (on ROWS/4 cases) beside ROWS registry rows, each
# imported into SQLite and PostgreSQL by the release binary, in one run.
# Usage: bench/case_import.sh [ROWS]   (default 1000000). The files are generated into a
# temporary directory under /tmp and deleted at the end; nothing is committed. A case's
# penalties are adjacent, as exports list them; SPREAD=1 spreads them over the file instead
# (every batch then touches as many cases as it has rows: the worst case for history events).
#
# While the registry reader cannot read the history layouts, `meijian import cases|penalties`
# refuses the files; the script then times the import itself on generated rows instead (the
# `bench_million_penalty_rows` test of crates/store/tests/case_import.rs, same shapes, no file
# reading: compare it with the registry import less its "validating reader" time, bench/import.sh).
set -euo pipefail
ROWS="${1:-1000000}"
CASES=$(( ROWS / 4 > 0 ? ROWS / 4 : 1 ))
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
TMP="$(mktemp -d /tmp/meijian-case-bench.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
cargo build --release -q -p meijian --bin meijian
BIN="$TARGET/release/meijian"

# Registry rows: demo-data writes about 0.93 registrations per operator; keep ROWS rows.
"$BIN" demo-data --operators $(( ROWS * 110 / 100 + 1000 )) --seed 1 --out "$TMP/demo" >/dev/null
head -n "$((ROWS + 1))" "$TMP/demo/registrations.csv" > "$TMP/registrations.csv"
rm -rf "$TMP/demo"

# Cases and penalties with the headers of DATA.md: four penalties a case (a fine and a
# confiscation of the organisation, a warning and a ban of a person), amounts with separators.
awk -v n="$CASES" 'BEGIN {
    print "案件编号,案件名称,立案日期,办案机关,行政区划代码,案件类别,案件来源,案件状态,结案日期,违法行为"
    split("370402 370403 370404 370405 370406 370481", d, " ")
    for (i = 0; i < n; i++)
        printf "ZZ%08d,第%d号医疗美容案,2024-%02d-%02d,枣庄市卫生健康委员会,%s,无证行医,投诉举报,结案,2025-06-30,未取得医疗机构执业许可证开展医疗美容\n", i, i, 1 + i % 12, 1 + i % 28, d[1 + i % 6]
}' > "$TMP/cases.csv"
awk -v n="$ROWS" -v c="$CASES" -v spread="${SPREAD:-0}" 'BEGIN {
    print "处罚编号,案件编号,当事人名称,当事人类型,当事人证件号码,处罚种类,金额（元）,决定日期,决定书文号"
    for (i = 0; i < n; i++) {
        if (spread == 1) { k = i % c; w = int(i / c) % 4 } else { k = int(i / 4) % c; w = i % 4 }
        if (w == 0) printf "CF%08d,ZZ%08d,枣庄市第%d号美容有限公司,单位,,罚款,\"12,500.50元\",2025-06-01,枣卫医罚〔2025〕%d号\n", i, k, k, k
        else if (w == 1) printf "CF%08d,ZZ%08d,枣庄市第%d号美容有限公司,单位,,没收违法所得,3000,2025-06-01,枣卫医罚〔2025〕%d号\n", i, k, k, k
        else if (w == 2) printf "CF%08d,ZZ%08d,张%d,个人,,警告,,2025-06-01,枣卫医罚〔2025〕%d号\n", i, k, k, k
        else printf "CF%08d,ZZ%08d,张%d,个人,,行业禁入,,2025-06-01T10:00:00+08:00,枣卫医罚〔2025〕%d号\n", i, k, k, k
    }
}' > "$TMP/penalties.csv"
for f in registrations cases penalties; do
    echo "$f: $(( $(wc -l < "$TMP/$f.csv") - 1 )) rows, $(du -h "$TMP/$f.csv" | cut -f1)"
done

measure() { # label, command…  → "label wall_s peak_mib"
    local label="$1"; shift
    local log; log="$(mktemp)"
    if ! /usr/bin/time -v "$@" > /dev/null 2> "$log"; then
        grep -v '^\s' "$log" | head -3 >&2
        rm -f "$log"
        return 1
    fi
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    rm -f "$log"
    printf '%s\t%s\t%s\n' "$label" "$wall" "$rss"
}

PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_URL="${PG_ADMIN%/*}/meijian_case_bench"
results="$(mktemp)"
files_read=1
for backend in sqlite postgresql; do
    if [[ $backend == sqlite ]]; then
        url="sqlite:$TMP/bench.db"
    elif psql "$PG_ADMIN" -qc "drop database if exists meijian_case_bench" -c "create database meijian_case_bench" 2>/dev/null; then
        url="$PG_URL"
    else
        echo "PostgreSQL not reachable at $PG_ADMIN: skipped" >&2
        continue
    fi
    measure "registrations $backend" "$BIN" import registrations "$TMP/registrations.csv" --database-url "$url" >> "$results"
    if measure "cases $backend" "$BIN" import cases "$TMP/cases.csv" --database-url "$url" >> "$results"; then
        measure "penalties $backend" "$BIN" import penalties "$TMP/penalties.csv" --database-url "$url" >> "$results"
    else
        files_read=0
    fi
    [[ $backend == postgresql ]] && psql "$PG_ADMIN" -qc "drop database if exists meijian_case_bench" 2>/dev/null || true
done

printf '\n%-26s %10s %10s %10s\n' "step" "wall s" "rows/s" "peak MiB"
awk -F'\t' -v rows="$ROWS" -v cases="$CASES" '{ n = ($1 ~ /^cases/) ? cases : rows; printf "%-26s %10.2f %10.0f %10s\n", $1, $2, n / ($2 > 0 ? $2 : 0.001), $3 }' "$results"
rm -f "$results"

if [[ $files_read == 0 ]]; then
    echo
    echo "The history files could not be read (see above); timing the import on generated rows:"
    MEIJIAN_BENCH_ROWS="$ROWS" MEIJIAN_BENCH_SPREAD="${SPREAD:-0}" cargo test --release -q -p meijian-store --test case_import \
        bench_million_penalty_rows -- --ignored --nocapture 2>&1 | grep 'rows/s'
fi
