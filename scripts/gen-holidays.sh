#!/usr/bin/env bash
# Download the wheel of chinese-calendar==1.11.0 with pip (not installed: pip checks it
# against the sha256 recorded in crates/domain/data/README.md) and regenerate
# crates/domain/data/holidays.csv.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
expected="6800bf53bd011a8b3e9fbb91805d16210f59648c2d86130dc43c2aa7708207ec"
wheel_name="chinese_calendar-1.11.0-py2.py3-none-any.whl"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf 'chinese-calendar==1.11.0 --hash=sha256:%s\n' "$expected" >"$tmp/requirements.txt"
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  --no-cache-dir -r "$tmp/requirements.txt" -d "$tmp"
wheel="$tmp/$wheel_name"
actual="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  echo "sha256 mismatch: expected $expected, got $actual" >&2
  exit 1
fi
python3 "$repo/scripts/gen-holidays.py" "$wheel" "$repo/crates/domain/data/holidays.csv"
