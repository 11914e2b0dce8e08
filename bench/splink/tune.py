#!/usr/bin/env python3
"""Threshold sweep for link.py, for tuning only (this is where the ground truth is looked at).

    python bench/splink/tune.py --pairs pairs.parquet --result result.csv --truth ground_truth.csv

Takes the scored pairs that link.py wrote with --pairs-out and its result.csv (whose row i is the
record with unique_id i), clusters the pairs with connected components at each threshold and
prints pairwise precision, recall and F1 against the truth, the same way bench/score.py counts.
"""
import argparse
import csv
import sys
from collections import Counter

import duckdb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--thresholds", default="0.5,0.7,0.8,0.9,0.95,0.98,0.99,0.995,0.999,0.9999")
    args = ap.parse_args()
    with open(args.result, encoding="utf-8-sig", newline="") as f:
        keys = [(r["来源"], r["记录键"]) for r in csv.DictReader(f)]
    index = {k: i for i, k in enumerate(keys)}
    truth = [None] * len(keys)
    with open(args.truth, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            i = index.get((r["来源"], r["记录键"]))
            if i is not None:
                truth[i] = r["主体编号"]
    if any(t is None for t in truth):
        sys.exit("result records without a truth")
    pairs = duckdb.sql(
        f"select unique_id_l, unique_id_r, match_probability from '{args.pairs}'"
        " order by match_probability desc"
    ).fetchall()
    tsize = Counter(truth)
    true_pairs = sum(c * (c - 1) // 2 for c in tsize.values())
    print(f"{'threshold':>10} {'precision':>10} {'recall':>10} {'f1':>10}")
    for th in sorted(float(t) for t in args.thresholds.split(",")):
        parent = list(range(len(keys)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for l, r, p in pairs:
            if p < th:
                break
            a, b = find(l), find(r)
            if a != b:
                parent[a] = b
        roots = [find(i) for i in range(len(keys))]
        found = sum(c * (c - 1) // 2 for c in Counter(roots).values())
        tp = sum(c * (c - 1) // 2 for c in Counter(zip(truth, roots)).values())
        p = tp / found if found else 1.0
        r = tp / true_pairs if true_pairs else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{th:>10} {p:>10.4f} {r:>10.4f} {f1:>10.4f}")


if __name__ == "__main__":
    main()
