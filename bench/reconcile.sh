#!/usr/bin/env bash
# The cross-check benchmark (issue 4): `meijian reconcile --from-files` on the files of
# `meijian demo-data`, end to end (read files, link, classify, write result.csv), scored against
# their ground truth: pairwise F1, class accuracy, wall time, peak memory. With --splink, the
# Splink reference (bench/splink/link.py) runs on the same files in the same run, side by side.
#
# Usage: bench/reconcile.sh [--splink] [OPERATORS...]   (default 10000 480000 1000000)
#        PROFILE=dense bench/reconcile.sh ...   (demo-data --profile dense: towers, reused 字号 …)
# 480,000 operators make about 1,000,000 records; 2,400,000 make about 5,000,000.
# Data and results go to target/bench/linkage/ (not committed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SPLINK=0
if [[ "${1:-}" == "--splink" ]]; then SPLINK=1; shift; fi
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 480000 1000000)
PROFILE="${PROFILE:-standard}"
OUT="target/bench/linkage"
BIN="target/release/meijian"
AS_OF="2026-11-22" # the as-of date of demo-data's ground truth
mkdir -p "$OUT"
cargo build --release -q -p meijian --bin meijian

if [[ $SPLINK == 1 ]]; then
    VENV="target/bench/splink-venv"
    REQ="bench/splink/requirements.txt"
    if [[ ! -x "$VENV/bin/python" || ! -f "$VENV/.installed" || "$REQ" -nt "$VENV/.installed" ]]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q -r "$REQ"
        touch "$VENV/.installed"
    fi
fi

seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$1"; }
peak_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
# score DIR RESULT: "f1 precision recall class_accuracy" (class "-" when the result has no 分类)
score() {
    python3 bench/score.py --truth "$1/ground_truth.csv" --result "$2" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d.get("class_accuracy")
print("%.4f %.4f %.4f %s" % (d["f1"], d["precision"], d["recall"], "-" if c is None else "%.4f" % c))'
}

rows=()
for ops in "${SIZES[@]}"; do
    dir="$OUT/$PROFILE-$ops"
    [[ -f "$dir/ground_truth.csv" ]] || "$BIN" demo-data --operators "$ops" --seed 1 --profile "$PROFILE" --out "$dir" > /dev/null
    records=$(($(wc -l < "$dir/ground_truth.csv") - 1))
    echo "== $ops operators, $records records: meijian reconcile" >&2
    /usr/bin/time -v "$BIN" reconcile --from-files "$dir" --out "$dir/result.csv" --as-of "$AS_OF" \
        > "$dir/reconcile.log" 2> "$dir/reconcile.time" || { tail -n 20 "$dir/reconcile.time" >&2; exit 1; }
    grep -E "阶段|结果已写入" "$dir/reconcile.log" | sed 's/^/   /' >&2
    read -r f1 precision recall class <<< "$(score "$dir" "$dir/result.csv")"
    rows+=("$(printf '%-8s %-9s %9s %7s %9s %7s %7s %8s %9s' meijian "$ops" "$records" \
        "$f1" "$precision" "$recall" "$class" \
        "$(seconds "$dir/reconcile.time")" "$(peak_mib "$dir/reconcile.time")")")
    if [[ $SPLINK == 1 ]]; then
        echo "== $ops operators: splink" >&2
        /usr/bin/time -v "$VENV/bin/python" bench/splink/link.py "$dir" --out "$dir/splink.csv" \
            > "$dir/splink.json" 2> "$dir/splink.time" || { tail -n 20 "$dir/splink.time" >&2; exit 1; }
        read -r f1 precision recall class <<< "$(score "$dir" "$dir/splink.csv")"
        rows+=("$(printf '%-8s %-9s %9s %7s %9s %7s %7s %8s %9s' splink "$ops" "$records" \
            "$f1" "$precision" "$recall" "$class" \
            "$(seconds "$dir/splink.time")" "$(peak_mib "$dir/splink.time")")")
    fi
done

printf '\n%-8s %-9s %9s %7s %9s %7s %7s %8s %9s\n' tool operators records f1 precision recall class "wall s" "peak MiB"
printf '%s\n' "${rows[@]}"
