#!/usr/bin/env python3
"""Generate crates/domain/data/holidays.csv from the PyPI package chinese-calendar.

Reads the package's wheel as downloaded by `pip download chinese-calendar==1.11.0`
(imported straight from the zip, not installed; Python 3 standard library only) and
writes the official holiday arrangement (国务院办公厅 节假日安排) as

    date,kind,name

sorted by date. `kind` is `holiday` for every day off of a holiday break that the
package lists (weekdays and weekend days alike) and `workday` for a weekend day that
is worked (调休上班). `name` is the package's Chinese name of the holiday (for a
workday, of the break it makes up for), as the package spells it (清明, 端午, 中秋).

Usage:
    python3 scripts/gen-holidays.py PATH/TO/chinese_calendar-1.11.0-py2.py3-none-any.whl [OUT.csv]

OUT defaults to crates/domain/data/holidays.csv beside this script's repo.
"""

import hashlib
import sys
from pathlib import Path

EXPECTED_VERSION = "1.11.0"
HEADER = ["date", "kind", "name"]


def chinese_name(Holiday, value, where):
    name = Holiday(value).chinese
    if not name or any(ch in name for ch in ',"\r\n'):
        sys.exit(f"unexpected name {name!r} at {where}")
    return name


def build_rows(cc):
    from chinese_calendar.constants import Holiday, holidays, in_lieu_days, workdays

    overlap = set(holidays) & set(workdays)
    if overlap:
        sys.exit(f"dates both holiday and workday: {sorted(overlap)}")
    weekday_workdays = [d for d in workdays if d.weekday() < 5]
    if weekday_workdays:
        sys.exit(f"workdays on a weekday (not a 调休): {sorted(weekday_workdays)}")
    stray = [d for d in in_lieu_days if d not in holidays]
    if stray:
        sys.exit(f"in-lieu days missing from the holidays: {sorted(stray)}")
    rows = [(d.isoformat(), "holiday", chinese_name(Holiday, v, d)) for d, v in holidays.items()]
    rows += [(d.isoformat(), "workday", chinese_name(Holiday, v, d)) for d, v in workdays.items()]
    return sorted(rows)


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    wheel = Path(argv[1]).resolve()
    default_out = Path(__file__).resolve().parent.parent / "crates/domain/data/holidays.csv"
    out = Path(argv[2]) if len(argv) == 3 else default_out
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(wheel))
    import chinese_calendar as cc

    if cc.__version__ != EXPECTED_VERSION:
        sys.exit(f"expected chinese-calendar {EXPECTED_VERSION}, got {cc.__version__}")
    rows = build_rows(cc)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    counts = {}
    for _date, kind, _name in rows:
        counts[kind] = counts.get(kind, 0) + 1
    years = sorted({int(d[:4]) for d, _k, _n in rows})
    print(f"chinese-calendar {EXPECTED_VERSION} sha256 {digest}", file=sys.stderr)
    print(f"wrote {out}: {len(rows)} rows {counts}, years {years[0]}-{years[-1]}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
