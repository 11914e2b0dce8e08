#!/usr/bin/env python3
"""Score a cross-check result (证照比对结果) against the ground truth of `meijian demo-data`.

    python3 bench/score.py --truth ground_truth.csv --result result.csv [--json] [--json-out F]

Both files are CSV in UTF-8 (a BOM is allowed). Records are keyed by (来源, 记录键).
The truth has 来源,记录键,主体编号,分类; the result has 来源,记录键,主体编号 and optionally 分类
(further columns are ignored).

Prints
  - coverage: truth records missing from the result, result records not in the truth (extra),
    and records that appear more than once in the result (duplicate; the first row counts);
  - pairwise precision, recall and F1 over pairs of records that share an operator, counted from
    the contingency table of (true operator, found operator) rather than by listing pairs, so it
    runs on millions of rows. A truth record missing from the result counts as a singleton there;
    extra records are left out of the pair counts;
  - class accuracy, when the result has a 分类 column: the fraction of truth records whose 分类
    equals the truth's (an empty 分类, "out of scope", is a class of its own; a missing record is
    wrong), with the confusion counts per true class.

Exit status: 0 when scored (coverage problems are reported, not fatal; --strict makes them exit 1),
2 when a file is malformed (missing column, wrong field count, empty key, duplicate truth key).
Standard library only.
"""

import argparse
import csv
import json
import sys
from array import array
from collections import Counter

SOURCE, KEY, OPERATOR, CLASS = "来源", "记录键", "主体编号", "分类"
OUT_OF_SCOPE = "(out of scope)"


class Malformed(Exception):
    pass


def open_csv(path):
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise Malformed(f"{path}: {e.strerror}")
    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        raise Malformed(f"{path}: empty file (no header)")
    except (csv.Error, UnicodeDecodeError) as e:
        raise Malformed(f"{path}: line 1: {e}")
    header = [h.strip() for h in header]
    return f, reader, header


def column_index(path, header, name, required=True):
    if name in header:
        return header.index(name)
    if required:
        raise Malformed(f"{path}: header lacks column {name!r} (has {', '.join(header)})")
    return None


def rows(path, reader, width):
    """Yields (line number, row); raises Malformed on a row with the wrong number of fields."""
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue  # a blank line
            if len(row) != width:
                raise Malformed(f"{path}: line {line}: {len(row)} fields, header has {width}")
            yield line, row
    except (csv.Error, UnicodeDecodeError) as e:
        raise Malformed(f"{path}: line {reader.line_num}: {e}")


def pairs(n):
    return n * (n - 1) // 2


def score(truth_path, result_path):
    # Truth: key -> index; per index its operator (interned int) and class (interned int).
    f, reader, header = open_csv(truth_path)
    width = len(header)
    i_src, i_key, i_op = (column_index(truth_path, header, c) for c in (SOURCE, KEY, OPERATOR))
    i_cls = column_index(truth_path, header, CLASS)
    index = {}
    truth_op = array("i")
    truth_cls = array("b")
    op_ids, class_ids = {}, {}
    with f:
        for line, row in rows(truth_path, reader, width):
            src, key = row[i_src].strip(), row[i_key].strip()
            if not src or not key:
                raise Malformed(f"{truth_path}: line {line}: empty {SOURCE} or {KEY}")
            k = src + "\x1f" + key
            if k in index:
                raise Malformed(f"{truth_path}: line {line}: duplicate record ({src}, {key})")
            index[k] = len(truth_op)
            op = row[i_op].strip()
            if not op:
                raise Malformed(f"{truth_path}: line {line}: empty {OPERATOR}")
            truth_op.append(op_ids.setdefault(op, len(op_ids)))
            truth_cls.append(class_ids.setdefault(row[i_cls].strip(), len(class_ids)))
    n = len(truth_op)
    if n == 0:
        raise Malformed(f"{truth_path}: no records")
    del op_ids

    # Result: per truth index its found operator (interned int, -1 = not in the result).
    f, reader, header = open_csv(result_path)
    width = len(header)
    r_src, r_key, r_op = (column_index(result_path, header, c) for c in (SOURCE, KEY, OPERATOR))
    r_cls = column_index(result_path, header, CLASS, required=False)
    found_op = array("i", [-1]) * n
    found_cls = array("b", [-1]) * n if r_cls is not None else None
    res_ids = {}
    result_rows = extra = duplicate = 0
    extra_by_source = Counter()
    with f:
        for line, row in rows(result_path, reader, width):
            result_rows += 1
            src, key = row[r_src].strip(), row[r_key].strip()
            if not src or not key:
                raise Malformed(f"{result_path}: line {line}: empty {SOURCE} or {KEY}")
            i = index.get(src + "\x1f" + key)
            if i is None:
                extra += 1
                extra_by_source[src] += 1
                continue
            if found_op[i] != -1:
                duplicate += 1
                continue
            op = row[r_op].strip()
            if not op:
                raise Malformed(f"{result_path}: line {line}: empty {OPERATOR}")
            found_op[i] = res_ids.setdefault(op, len(res_ids))
            if found_cls is not None:
                # A class the truth never uses gets an id no truth record has.
                c = row[r_cls].strip()
                found_cls[i] = class_ids.get(c, 127)
    del index, res_ids

    # Missing records become singletons of their own on the result side.
    missing = 0
    next_id = -2
    for i in range(n):
        if found_op[i] == -1:
            missing += 1
            found_op[i] = next_id
            next_id -= 1

    truth_sizes = Counter(truth_op)
    found_sizes = Counter(found_op)
    both = Counter(zip(truth_op, found_op))
    true_pairs = sum(pairs(c) for c in truth_sizes.values())
    found_pairs = sum(pairs(c) for c in found_sizes.values())
    tp = sum(pairs(c) for c in both.values())
    precision = tp / found_pairs if found_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    out = {
        "truth_records": n,
        "result_rows": result_rows,
        "missing": missing,
        "extra": extra,
        "extra_by_source": dict(extra_by_source),
        "duplicate": duplicate,
        "true_operators": len(truth_sizes),
        "found_operators": len(found_sizes),
        "true_pairs": true_pairs,
        "found_pairs": found_pairs,
        "correct_pairs": tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "class_accuracy": None,
    }
    if found_cls is not None:
        names = {v: (k if k else OUT_OF_SCOPE) for k, v in class_ids.items()}
        confusion = Counter(zip(truth_cls, found_cls))
        correct = sum(c for (t, r), c in confusion.items() if t == r)
        out["class_accuracy"] = correct / n
        out["class_confusion"] = {
            names[t]: {
                ("(missing)" if r == -1 else names.get(r, "(other)")): c
                for (t2, r), c in sorted(confusion.items())
                if t2 == t
            }
            for t in sorted(names)
        }
    return out


def print_report(s):
    print(f"truth records      {s['truth_records']}")
    print(f"result rows        {s['result_rows']}")
    print(f"missing            {s['missing']}")
    extra = ", ".join(f"{k} {v}" for k, v in sorted(s["extra_by_source"].items()))
    print(f"extra              {s['extra']}" + (f" ({extra})" if extra else ""))
    print(f"duplicate          {s['duplicate']}")
    print(f"operators          true {s['true_operators']}, found {s['found_operators']}")
    print(
        f"pairs              true {s['true_pairs']}, found {s['found_pairs']}, "
        f"correct {s['correct_pairs']}"
    )
    print(f"precision          {s['precision']:.4f}")
    print(f"recall             {s['recall']:.4f}")
    print(f"f1                 {s['f1']:.4f}")
    if s["class_accuracy"] is None:
        print("class accuracy     n/a (result has no 分类 column)")
    else:
        print(f"class accuracy     {s['class_accuracy']:.4f}")
        for t, row in s["class_confusion"].items():
            cells = ", ".join(f"{r} {c}" for r, c in row.items())
            print(f"  true {t}: {cells}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True, help="ground_truth.csv from meijian demo-data")
    ap.add_argument("--result", required=True, help="result.csv of a cross-check run")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--json-out", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument(
        "--strict", action="store_true", help="exit 1 when records are missing, extra or duplicate"
    )
    args = ap.parse_args()
    try:
        s = score(args.truth, args.result)
    except Malformed as e:
        print(f"score.py: malformed input: {e}", file=sys.stderr)
        return 2
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(s, f, ensure_ascii=False)
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        print_report(s)
    if args.strict and (s["missing"] or s["extra"] or s["duplicate"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
