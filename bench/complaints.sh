#!/usr/bin/env bash
# Public complaint desk benchmark: raw durable inserts through sqlx against the real
# POST /complaints and POST /complaints/status over HTTP, from 64 concurrent clients, on a
# fresh SQLite database (synchronous=FULL), in one run.
# Usage: bench/complaints.sh [SECONDS]   (default 10 for the submissions; the other phases
#                                         run half as long)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p meijian-web --example complaints_bench
"$TARGET/release/examples/complaints_bench" "${1:-10}"
