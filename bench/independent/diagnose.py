#!/usr/bin/env python3
"""Where the cross-check goes wrong on the independent data: missed and false pairs by registry pair,
and a few examples of each (records side by side).

    python3 bench/independent/diagnose.py DIR [--examples 5] [--seed 1]

DIR holds the registry CSVs, ground_truth.csv and result.csv. Standard library only; it keeps the
records in memory, so use it on 10k-100k records.
"""
import argparse
import collections
import csv
import itertools
import os
import random

KEY = {"registrations": "统一社会信用代码", "licenses": "登记号", "salon_filings": "备案编号",
       "platform_merchants": "店铺链接", "tax": "纳税人识别号"}
SHORT = {"registrations": "reg", "licenses": "lic", "salon_filings": "salon", "platform_merchants": "shop", "tax": "tax"}


def load(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--examples", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rec = {}
    for src, k in KEY.items():
        for r in load(os.path.join(a.dir, src + ".csv")):
            rec[(src, r[k])] = r
    truth = {(r["来源"], r["记录键"]): (r["主体编号"], r["分类"]) for r in load(os.path.join(a.dir, "ground_truth.csv"))}
    found = {(r["来源"], r["记录键"]): (r["主体编号"], r.get("分类", ""), r.get("依据", "")) for r in load(os.path.join(a.dir, "result.csv"))}
    by_true = collections.defaultdict(list)
    by_found = collections.defaultdict(list)
    for k, (op, _) in truth.items():
        by_true[op].append(k)
        if k in found:
            by_found[found[k][0]].append(k)
    missed = collections.Counter()
    missed_ex = collections.defaultdict(list)
    for op, ks in by_true.items():
        for x, y in itertools.combinations(ks, 2):
            if found.get(x, (None,))[0] != found.get(y, (None,))[0] or x not in found:
                p = tuple(sorted((SHORT[x[0]], SHORT[y[0]])))
                missed[p] += 1
                missed_ex[p].append((x, y))
    false = collections.Counter()
    false_ex = collections.defaultdict(list)
    for op, ks in by_found.items():
        if len(ks) > 200:
            continue  # a giant cluster: counted below, not listed pairwise
        for x, y in itertools.combinations(ks, 2):
            if truth[x][0] != truth[y][0]:
                p = tuple(sorted((SHORT[x[0]], SHORT[y[0]])))
                false[p] += 1
                false_ex[p].append((x, y))
    big = sorted((len(v) for v in by_found.values()), reverse=True)[:5]
    print("largest found operators:", big)
    rng = random.Random(a.seed)

    def show(x):
        r = rec[x]
        keep = {k: v for k, v in r.items() if v and k not in ("经营范围", "发证机关", "主管税务机关", "登记机关", "诊疗科目", "成立日期")}
        return "  %s %s | %s | truth %s %s | found %s" % (SHORT[x[0]], x[1], " / ".join(keep.values()),
                                                          truth[x][0], truth[x][1] or "-", found.get(x, ("?",))[0])
    for title, cnt, ex in (("MISSED pairs (same operator, not linked)", missed, missed_ex),
                           ("FALSE pairs (different operators, linked)", false, false_ex)):
        print("\n==", title, sum(cnt.values()))
        for p, c in cnt.most_common():
            print("  %-12s %7d" % ("-".join(p), c))
        for p, _ in cnt.most_common(4):
            print("-- examples", "-".join(p))
            for x, y in rng.sample(ex[p], min(a.examples, len(ex[p]))):
                print(show(x))
                print(show(y))
                print("  evidence:", found.get(x, ("", "", ""))[2][:200], "||", found.get(y, ("", "", ""))[2][:200])
                print()


if __name__ == "__main__":
    main()
