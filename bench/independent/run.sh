#!/usr/bin/env bash
# The cross-check on the independent dense-city data (bench/independent/gen.py), scored by
# bench/score.py: pairwise F1, precision, recall, class accuracy, wall seconds, peak MiB.
#
# Usage: bench/independent/run.sh [RECORDS...]     (default 10000 100000 1000000)
# Env:   SEED (default 1), CITY (default 370100), AS_OF (default 2026-10-31: the generator's as-of day)
# Data and results go to target/bench/independent/n-RECORDS/ (generated once, reused).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000 1000000)
SEED="${SEED:-1}"
CITY="${CITY:-370100}"
AS_OF="${AS_OF:-2026-10-31}"
OUT="target/bench/independent"
BIN="${MEIJIAN_BIN:-target/release/meijian}"   # MEIJIAN_BIN: another build of the binary
mkdir -p "$OUT"
# Build only when the binary is missing (others share the machine; cargo waits on its own lock).
[[ -x "$BIN" ]] || cargo build --release -p meijian --bin meijian

wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$1"; }
peak_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

table=()
for n in "${SIZES[@]}"; do
    dir="$OUT/n-$n"
    if [[ ! -f "$dir/ground_truth.csv" || ! -f "$dir/.complete" ]]; then
        echo "== $n records: generating (seed $SEED, city $CITY, as-of $AS_OF)" >&2
        rm -rf "$dir"
        /usr/bin/time -v python3 bench/independent/gen.py --records "$n" --seed "$SEED" --city "$CITY" \
            --as-of "$AS_OF" --out "$dir" 2> "$dir.gen.log" || { tail -n 30 "$dir.gen.log" >&2; exit 1; }
        mv "$dir.gen.log" "$dir/gen.log"
        echo "$SEED $CITY $AS_OF" > "$dir/.complete"
        echo "   generator: $(wall_s "$dir/gen.log") s, $(peak_mib "$dir/gen.log") MiB" >&2
    fi
    records=$(($(wc -l < "$dir/ground_truth.csv") - 1))
    echo "== $n records ($records in the truth): meijian reconcile --as-of $AS_OF" >&2
    /usr/bin/time -v "$BIN" reconcile --from-files "$dir" --out "$dir/result.csv" --as-of "$AS_OF" \
        > "$dir/reconcile.log" 2> "$dir/reconcile.time" || { tail -n 30 "$dir/reconcile.time" >&2; exit 1; }
    python3 bench/score.py --truth "$dir/ground_truth.csv" --result "$dir/result.csv" --json \
        --json-out "$dir/score.json" > /dev/null
    read -r f1 p r c miss extra <<< "$(python3 - "$dir/score.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
c = d.get("class_accuracy")
print("%.4f %.4f %.4f %s %d %d" % (d["f1"], d["precision"], d["recall"],
      "-" if c is None else "%.4f" % c, d["missing"], d["extra"]))
EOF
)"
    table+=("$(printf '%10s %7s %9s %7s %9s %8s %9s %8s %6s' "$records" "$f1" "$p" "$r" "$c" \
        "$(wall_s "$dir/reconcile.time")" "$(peak_mib "$dir/reconcile.time")" "$miss" "$extra")")
done

printf '\n%10s %7s %9s %7s %9s %8s %9s %8s %6s\n' records f1 precision recall class "wall s" "peak MiB" missing extra
printf '%s\n' "${table[@]}"
