#!/usr/bin/env bash
# Splink reference benchmark (issue 4): a well-tuned Splink 4 model (DuckDB backend) on the files
# of `meijian demo-data`, scored against their ground truth: pairwise F1, wall time, peak memory.
# Usage: bench/splink/run.sh [OPERATORS...]   (default 10000 100000)
# The venv, the data and the results go to target/bench/ (or $CARGO_TARGET_DIR/bench/; not committed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000)
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench"
VENV="$OUT/splink-venv"
DATA="$OUT/splink-data"
BIN="$TARGET/release/meijian"
REQ="bench/splink/requirements.txt"
mkdir -p "$DATA"

if [[ ! -x "$VENV/bin/python" || ! -f "$VENV/.installed" || "$REQ" -nt "$VENV/.installed" ]]; then
    echo "setting up $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$REQ"
    touch "$VENV/.installed"
fi
[[ -x "$BIN" ]] || cargo build --release -q -p meijian --bin meijian

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for ops in "${SIZES[@]}"; do
    dir="$DATA/ops-$ops"
    if [[ ! -f "$dir/ground_truth.csv" ]]; then
        "$BIN" demo-data --operators "$ops" --seed 1 --out "$dir" > /dev/null
    fi
    result="$DATA/result-$ops.csv"
    log="$DATA/link-$ops.log"
    echo "== $ops operators: splink (log: $log)" >&2
    /usr/bin/time -v "$VENV/bin/python" bench/splink/link.py "$dir" --out "$result" \
        --model-out "$DATA/model-$ops.json" > "$DATA/link-$ops.json" 2> "$log" \
        || { tail -n 30 "$log" >&2; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    cpu=$(awk -F': ' '/Percent of CPU this job got/ {print $2}' "$log")
    python3 bench/score.py --truth "$dir/ground_truth.csv" --result "$result" \
        --json-out "$DATA/score-$ops.json" | sed 's/^/   /' >&2
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
link = json.load(open(sys.argv[2]))
cells = [sys.argv[3], s["truth_records"], "%.4f" % s["f1"], "%.4f" % s["precision"],
         "%.4f" % s["recall"], sys.argv[4], sys.argv[5], link["threshold"],
         s["missing"] + s["extra"] + s["duplicate"], sys.argv[6]]
print("\t".join(str(c) for c in cells))
' "$DATA/score-$ops.json" "$DATA/link-$ops.json" "$ops" "$wall" "$rss" "$cpu" >> "$results"
done

printf '\nSplink %s, DuckDB %s\n' \
    "$("$VENV/bin/python" -c 'import splink; print(splink.__version__)')" \
    "$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
printf '%-10s %10s %8s %10s %8s %8s %10s %6s %10s %12s\n' \
    operators records f1 precision recall "wall s" "peak MiB" cpu threshold "miss/extra"
awk -F'\t' '{ printf "%-10s %10s %8s %10s %8s %8s %10s %6s %10s %12s\n", $1, $2, $3, $4, $5, $6, $7, $10, $8, $9 }' "$results"
