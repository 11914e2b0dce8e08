#!/usr/bin/env python3
"""Reference linkage with Splink 4 (DuckDB backend) on the registry files of DATA.md.

    python bench/splink/link.py DATA_DIR --out result.csv [--threshold P]

Reads the five cross-check registries (registrations, licenses, salon_filings, platform_merchants,
tax) from DATA_DIR, puts them into one DuckDB table with a unified schema, normalises names and
addresses, trains a Fellegi-Sunter model without labels (u by random sampling, m by expectation
maximisation, the prior from deterministic rules), scores the blocked pairs, clusters them with
connected components at a match-probability threshold and writes `来源,记录键,主体编号` for every
input record (singletons included). It never reads a ground truth.

It does no classification (分类): that is the product's business rule, not record linkage.
"""

import argparse
import csv
import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The registries: for each, its key column and where the unified fields come from. Headers may
# be the Chinese ones or their English aliases (DATA.md).

SOURCES = {
    "registrations": {
        "key": ("统一社会信用代码", "uscc"),
        "name": ("主体名称", "name"),
        "uscc": ("统一社会信用代码", "uscc"),
        "address": ("住所", "address"),
        "person": ("法定代表人", "legal_rep"),
        "region": ("行政区划代码", "region"),
    },
    "licenses": {
        "key": ("登记号", "license_no"),
        "name": ("机构名称", "name"),
        "uscc": ("统一社会信用代码", "uscc"),
        "address": ("地址", "address"),
        "person": ("法定代表人", "legal_rep"),
        "region": ("行政区划代码", "region"),
    },
    "salon_filings": {
        "key": ("备案编号", "filing_no"),
        "name": ("店铺名称", "name"),
        "uscc": ("统一社会信用代码", "uscc"),
        "address": ("地址", "address"),
        "person": ("经营者", "operator"),
        "region": ("行政区划代码", "region"),
    },
    "platform_merchants": {
        "key": ("店铺链接", "url"),
        # The displayed entity name is the main name when present; the shop name is the
        # alternative name (and the main one when the entity name is blank).
        "name": ("主体名称", "entity_name"),
        "alt": ("店铺名称", "shop_name"),
        "uscc": ("统一社会信用代码", "uscc"),
        "address": ("地址", "address"),
        "region": ("行政区划代码", "region"),
    },
    "tax": {
        "key": ("纳税人识别号", "taxpayer_id"),
        "name": ("纳税人名称", "name"),
        "uscc": ("纳税人识别号", "taxpayer_id"),
        "address": ("生产经营地址", "address"),
        "region": ("行政区划代码", "region"),
    },
}

# --------------------------------------------------------------------------------------------
# Normalisation


def load_t2s():
    """Traditional -> simplified, character by character, from OpenCC's TSCharacters table as
    shipped by opencc-python-reimplemented (its phrase-level converter is ~100 µs a string in
    pure Python, too slow for millions of names; names need characters, not phrases)."""
    try:
        import opencc
    except ImportError:
        log("opencc-python-reimplemented missing: no traditional -> simplified")
        return {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                table[ord(parts[0])] = parts[1].split(" ")[0]
    return table


REGION_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
    "地区", "新区", "省", "市", "区", "县", "旗", "盟",
)


def load_region_names(regions_csv, codes_seen):
    """Region names to strip from names and addresses: the full names of every region, and the
    short forms (山东, 枣庄, 薛城, 滕州) of the regions of the provinces that occur in the data
    (short forms of the whole country would eat trade names like 长安, 和平)."""
    provinces = {c[:2] for c in codes_seen if len(c) == 6 and c.isdigit()}
    full, short = set(), set()
    with open(regions_csv, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = row["name"].strip()
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            full.add(name)
            if row["code"][:2] in provinces:
                for suf in REGION_SUFFIXES:
                    if name.endswith(suf) and len(name) - len(suf) >= 2:
                        short.add(name[: -len(suf)])
                        break
    return full | short


ORG_FORMS = [
    "有限责任公司", "股份有限公司", "有限公司", "个人独资企业", "普通合伙", "有限合伙", "合伙企业",
    "集团", "公司",
]
BRANCH_MARKERS = ["分公司", "分店", "分院", "分部", "门店", "店"]
# Generic industry words that carry no identity; removed to get the "core" (trade name) of a name.
GENERIC_WORDS = [
    "医疗美容", "医学美容", "整形美容", "美容整形", "医疗", "医美", "整形", "微整", "美容美体",
    "美容美发", "美容", "美发", "美甲", "美睫", "美体", "美业", "皮肤管理", "形象设计", "养生",
    "工作室", "生活馆", "会所", "中心", "诊所", "门诊部", "门诊", "专科医院", "医院", "卫生院",
    "院", "馆", "科", "部", "店",
]
PUNCT_RE = re.compile(r"[\s·•・.,，、\-_'\"“”‘’/\\:;：；!！?？*]+")
PAREN_RE = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
ROAD_RE = re.compile(r"^(.*?\d+号)")


def alternation(words):
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


class Normaliser:
    def __init__(self, regions_csv, codes_seen):
        self.t2s = load_t2s()
        self.regions = load_region_names(regions_csv, codes_seen)
        self.region_lengths = sorted({len(n) for n in self.regions}, reverse=True)
        # For speed: by first (last) two characters, the lengths of the names starting (ending)
        # with them, longest first.
        self.region_heads, self.region_tails = {}, {}
        for n in self.regions:
            self.region_heads.setdefault(n[:2], set()).add(len(n))
            self.region_tails.setdefault(n[-2:], set()).add(len(n))
        for d in (self.region_heads, self.region_tails):
            for k in d:
                d[k] = sorted(d[k], reverse=True)
        self.org_re = alternation(ORG_FORMS)
        self.generic_re = alternation(GENERIC_WORDS)
        self.cache = {}

    def base(self, s):
        return unicodedata.normalize("NFKC", s).translate(self.t2s).upper()

    def strip_region_prefix(self, s):
        """Removes leading region names (山东省枣庄市薛城区…), longest first."""
        while s[:2] in self.region_heads:
            for n in self.region_heads[s[:2]]:
                if n < len(s) and s[:n] in self.regions:
                    s = s[n:]
                    break
            else:
                return s
        return s

    def strip_region_suffix(self, s):
        while s[-2:] in self.region_tails:
            for n in self.region_tails[s[-2:]]:
                if n < len(s) and s[-n:] in self.regions:
                    s = s[:-n]
                    break
            else:
                return s
        return s

    def only_regions(self, s):
        """(滕州), (枣庄市薛城区): nothing but region names."""
        while s:
            for n in self.region_lengths:
                if n <= len(s) and s[:n] in self.regions:
                    s = s[n:]
                    break
            else:
                return False
        return True

    def strip_tail(self, s):
        """Removes trailing organisation forms and branch markers, with the region before a
        branch marker (…有限公司滕州分公司, …·薛城店)."""
        changed = True
        while changed and s:
            changed = False
            for w in BRANCH_MARKERS:
                if s.endswith(w) and len(s) > len(w):
                    s, changed = self.strip_region_suffix(s[: -len(w)]), True
                    break
            for w in ORG_FORMS:
                if s.endswith(w) and len(s) > len(w):
                    s, changed = s[: -len(w)], True
                    break
        return s

    def _paren(self, m):
        inner = m.group(1)
        if not inner or self.only_regions(inner) or self.org_re.fullmatch(inner):
            return ""
        if any(inner.endswith(w) for w in BRANCH_MARKERS):
            return ""  # (薛城店), (万达店): a branch locator
        return inner

    def name(self, raw):
        """-> (normalised name, core name)"""
        if not raw:
            return None, None
        hit = self.cache.get(raw)
        if hit is not None:
            return hit
        s = self.base(raw)
        if "(" in s or "[" in s or "【" in s or "〔" in s:
            s = PAREN_RE.sub(self._paren, s)
        s = PUNCT_RE.sub("", s)
        s = self.strip_region_prefix(s)
        s = self.strip_tail(s)
        s = self.org_re.sub("", s) or s
        s = self.strip_region_prefix(s)
        core = self.generic_re.sub("", s)
        if len(core) < 2:
            core = s
        out = (s or None, core or None)
        self.cache[raw] = out
        return out

    def address(self, raw):
        """-> (normalised address, road and number)"""
        if not raw:
            return None, None
        s = self.base(raw)
        s = PUNCT_RE.sub("", s).replace("#", "号")
        s = self.strip_region_prefix(s)
        m = ROAD_RE.match(s)
        return s or None, (m.group(1) if m else None)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
USCC_SEPARATORS_RE = re.compile(r"[\s\-_.]")
_uscc_cache = {}


def norm_uscc(raw):
    """-> (code as compared: NFKC, upper case, no separators; valid per GB 32100 or not)"""
    if not raw:
        return None, False
    hit = _uscc_cache.get(raw)
    if hit is not None:
        return hit
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    s = USCC_SEPARATORS_RE.sub("", s).upper()
    valid = False
    if len(s) == 18:
        values = [USCC_VALUE.get(c, -1) for c in s]
        if min(values) >= 0:
            total = sum(v * w for v, w in zip(values, USCC_WEIGHTS))
            valid = (31 - total % 31) % 31 == values[17]
    out = (s or None, valid)
    _uscc_cache[raw] = out
    return out


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_DATE_RE = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")


def is_resident_id(s):
    """An 18-character resident identity number (GB 11643: region, birth date, checksum). An
    all-digit code can pass the USCC checksum by chance (1 in 31); a resident ID is a person's."""
    if not s or len(s) != 18 or not s[:17].isdigit() or not ID_DATE_RE.match(s[6:14]):
        return False
    total = sum(int(c) * w for c, w in zip(s[:17], ID_WEIGHTS))
    return "10X98765432"[total % 11] == s[17]


# Last characters of names that are business names, not personal names.
BUSINESS_ENDINGS = set("店部室馆院所厂行社司心坊吧城屋园堂阁场站处会业")
HAN_RE = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def looks_like_person(name):
    """A name field that holds a personal name (a natural-person taxpayer, a platform shop
    displaying its owner): 2-3 Han characters, not ending like a business."""
    return bool(name) and HAN_RE.match(name) is not None and name[-1] not in BUSINESS_ENDINGS


def norm_person(raw):
    if not raw:
        return None
    s = PUNCT_RE.sub("", unicodedata.normalize("NFKC", raw))
    return s or None


# --------------------------------------------------------------------------------------------


def read_sources(data_dir):
    """Yields (source, row dict of unified raw fields) for every record of the five files."""
    for source, spec in SOURCES.items():
        path = Path(data_dir) / f"{source}.csv"
        if not path.exists():
            log(f"{path}: missing, skipped")
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader)]
            idx = {}
            for field, names in spec.items():
                for n in names:
                    if n in header:
                        idx[field] = header.index(n)
                        break
                else:
                    if field == "key":
                        sys.exit(f"{path}: no key column {names[0]}")
            count = 0
            for row in reader:
                if not row:
                    continue
                rec = {f: (row[i].strip() if i < len(row) else "") for f, i in idx.items()}
                if not rec["key"]:
                    continue
                count += 1
                yield source, rec
            log(f"read {source}: {count} records")


def build_table(con, data_dir, regions_csv):
    import pandas as pd

    raw = list(read_sources(data_dir))
    codes = {r["region"] for _, r in raw if r.get("region")}
    norm = Normaliser(regions_csv, codes)
    cols = {c: [] for c in (
        "unique_id", "source", "record_key", "name", "name_norm", "name_core", "alt_norm",
        "alt_core", "uscc_reported", "uscc", "uscc_valid", "address", "addr_norm", "addr_road",
        "person", "region",
    )}
    for i, (source, r) in enumerate(raw):
        u, valid = norm_uscc(r.get("uscc"))
        if valid and is_resident_id(u):
            valid = False
        person = r.get("person")
        name = r.get("name")
        if looks_like_person(name) and not person and (source != "tax" or not valid):
            # The name is a person's: compare it as one.
            person, name = name, None
        name_raw = name or r.get("alt") or ""
        nn, nc = norm.name(name_raw) if name_raw else (None, None)
        an, ac = norm.name(r["alt"]) if r.get("alt") else (None, None)
        if an == nn and ac == nc:
            an = ac = None
        addr, road = norm.address(r.get("address"))
        region = r.get("region") or None
        if region and not (len(region) == 6 and region.isdigit()):
            region = None
        cols["unique_id"].append(i)
        cols["source"].append(source)
        cols["record_key"].append(r["key"])
        cols["name"].append(name_raw or None)
        cols["name_norm"].append(nn)
        cols["name_core"].append(nc)
        cols["alt_norm"].append(an)
        cols["alt_core"].append(ac)
        cols["uscc_reported"].append(r.get("uscc") or None)
        cols["uscc"].append(u)
        cols["uscc_valid"].append(valid)
        cols["address"].append(r.get("address") or None)
        cols["addr_norm"].append(addr)
        cols["addr_road"].append(road)
        cols["person"].append(norm_person(person))
        cols["region"].append(region)
    del raw
    df = pd.DataFrame(cols)
    del cols
    con.register("records_df", df)
    con.execute("create table records as select * from records_df")
    con.unregister("records_df")
    n = len(df)
    del df
    log(f"normalised {n} records into DuckDB table `records`")
    return n


def settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    def jw(col_l, col_r):
        return f"jaro_winkler_similarity({col_l}, {col_r})"

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_description="normalised name, core (trade) name, shop name",
        comparison_levels=[
            cll.NullLevel("name_norm"),
            cll.ExactMatchLevel("name_norm", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_core", term_frequency_adjustments=True),
            cll.CustomLevel(
                "name_core_l = alt_core_r or alt_core_l = name_core_r or alt_core_l = alt_core_r"
                " or name_norm_l = alt_norm_r or alt_norm_l = name_norm_r",
                label_for_charts="shop name matches the other's name",
            ),
            cll.CustomLevel(
                "length(name_core_l) >= 3 and levenshtein(name_core_l, name_core_r) <= 1",
                label_for_charts="core name one edit apart",
            ),
            cll.CustomLevel(
                f"greatest({jw('name_norm_l', 'name_norm_r')}, {jw('name_core_l', 'name_core_r')},"
                f" coalesce({jw('alt_core_l', 'name_core_r')}, 0),"
                f" coalesce({jw('name_core_l', 'alt_core_r')}, 0)) >= 0.88",
                label_for_charts="Jaro-Winkler >= 0.88 (best of name, core, shop name)",
            ),
            cll.CustomLevel(
                f"greatest({jw('name_norm_l', 'name_norm_r')}, {jw('name_core_l', 'name_core_r')})"
                " >= 0.7",
                label_for_charts="Jaro-Winkler >= 0.7",
            ),
            cll.ElseLevel(),
        ],
    )
    uscc = cl.CustomComparison(
        output_column_name="uscc",
        comparison_description="USCC as reported (normalised)",
        comparison_levels=[
            cll.NullLevel("uscc"),
            cll.ExactMatchLevel("uscc"),
            cll.CustomLevel(
                "length(uscc_l) = length(uscc_r) and levenshtein(uscc_l, uscc_r) <= 2",
                label_for_charts="1-2 edits apart",
            ),
            cll.CustomLevel(
                "uscc_valid_l and uscc_valid_r", label_for_charts="two different valid USCCs"
            ),
            cll.ElseLevel().configure(label_for_charts="different, not both valid USCCs"),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_description="normalised address",
        comparison_levels=[
            cll.NullLevel("addr_norm"),
            cll.ExactMatchLevel("addr_norm", term_frequency_adjustments=True),
            cll.ExactMatchLevel("addr_road"),
            cll.JaroWinklerLevel("addr_norm", 0.9),
            cll.JaroWinklerLevel("addr_norm", 0.75),
            cll.ElseLevel(),
        ],
    )
    person = cl.ExactMatch("person")
    region = cl.CustomComparison(
        output_column_name="region",
        comparison_levels=[
            cll.NullLevel("region"),
            cll.ExactMatchLevel("region"),
            cll.CustomLevel("substr(region_l, 1, 4) = substr(region_r, 1, 4)", "same city"),
            cll.ElseLevel(),
        ],
    )
    # Blocking: every rule is an exact match on a strong key, narrowed where the key alone
    # would make blocks that grow with the square of the data (common trade names).
    addr2 = "substr(addr_norm, 1, 2)"
    same_addr2 = "substr(l.addr_norm, 1, 2) = substr(r.addr_norm, 1, 2)"
    blocking = [
        block_on("uscc"),
        block_on("name_norm", addr2),
        block_on("name_norm", "region"),
        block_on("name_core", addr2),
        CustomRule(f"l.name_core = r.alt_core and {same_addr2}"),
        CustomRule(f"l.alt_core = r.name_core and {same_addr2}"),
        CustomRule(f"l.alt_core = r.alt_core and {same_addr2}"),
        block_on("addr_road"),
        block_on("addr_norm"),
        # Measured and dropped: region + first two characters of the core name + first
        # character of the address. It made half of all comparisons at 1,000,000 operators
        # (25 of 50 million) and found no true pair the rules above miss.
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[uscc, name, address, person, region],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
        max_iterations=20,
    )


def main():
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("--out", required=True, help="result CSV: 来源,记录键,主体编号")
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="match probability at which pairs are clustered (default 0.5, tuned "
                    "on 10,000 operators)")
    ap.add_argument("--predict-floor", type=float, default=0.01,
                    help="pairs below this match probability are not kept (default 0.01)")
    ap.add_argument("--regions", default=str(here.parents[1] / "crates/domain/data/regions.csv"))
    ap.add_argument("--u-pairs", type=float, default=2e6, help="pairs sampled to estimate u")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: its default)")
    ap.add_argument("--model-out", help="write the trained Splink model (JSON) here")
    ap.add_argument("--pairs-out", help="write the scored pairs (parquet) here, for tuning")
    args = ap.parse_args()

    import duckdb
    import splink
    from splink import DuckDBAPI, Linker, block_on

    import logging
    logging.getLogger("splink").setLevel(logging.WARNING)

    log(f"splink {splink.__version__}, duckdb {duckdb.__version__}")
    con = duckdb.connect()
    if args.threads:
        con.execute(f"set threads = {args.threads}")
    n = build_table(con, args.data_dir, args.regions)

    linker = Linker("records", settings(), db_api=DuckDBAPI(con), set_up_basic_logging=False)

    # The prior: pairs found by two strict deterministic rules, assumed to be ~60% of all matches.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("uscc", "name_core"), block_on("name_norm", "addr_norm")], recall=0.6
    )
    log("prior estimated")
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=1)
    log("u estimated")
    # m by EM on two blocking rules, each training the comparisons it does not block on.
    for br in (block_on("uscc"), block_on("addr_norm")):
        linker.training.estimate_parameters_using_expectation_maximisation(br)
        log("EM done")
    if args.model_out:
        linker.misc.save_model_to_json(args.model_out, overwrite=True)

    pairs = linker.inference.predict(threshold_match_probability=args.predict_floor)
    npairs = con.execute(f"select count(*) from {pairs.physical_name}").fetchall()[0][0]
    log(f"scored pairs kept (p >= {args.predict_floor}): {npairs}")
    if args.pairs_out:
        con.execute(
            f"copy (select unique_id_l, unique_id_r, match_probability, match_weight"
            f" from {pairs.physical_name}) to '{args.pairs_out}' (format parquet)"
        )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=args.threshold
    )
    log(f"clustered at match probability {args.threshold}")

    # Every input record, exactly once: left join so a record missing from the clusters (there
    # should be none) still gets an operator of its own.
    out = os.path.abspath(args.out)
    con.execute(
        f"""copy (
            select r.source as "来源", r.record_key as "记录键",
                   'SP' || coalesce(c.cluster_id, r.unique_id)::varchar as "主体编号"
            from records r left join {clusters.physical_name} c using (unique_id)
            order by r.unique_id
        ) to '{out}' (header, delimiter ',')"""
    )
    stats = con.execute(
        f"""select count(*), count(distinct "主体编号") from read_csv('{out}', all_varchar=true)"""
    ).fetchall()[0]
    log(f"wrote {out}: {stats[0]} records, {stats[1]} operators")
    print(json.dumps({"records": n, "rows": stats[0], "operators": stats[1], "pairs": npairs,
                      "threshold": args.threshold}))


if __name__ == "__main__":
    main()
