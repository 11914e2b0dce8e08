#!/usr/bin/env bash
# Search benchmark (issue 3): run after bench/import.sh (it searches what that imported).
# Usage: bench/search.sh [QUERIES]   (default 500)
set -euo pipefail
N="${1:-500}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p meijian-store --example search_bench
PG_ADMIN="${MEIJIAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
echo "== SQLite ($TARGET/bench/bench.db)"
"$TARGET/release/examples/search_bench" "sqlite:$TARGET/bench/bench.db" "$N"
echo "== PostgreSQL (meijian_bench)"
"$TARGET/release/examples/search_bench" "${PG_ADMIN%/*}/meijian_bench" "$N"
