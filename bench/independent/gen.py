#!/usr/bin/env python3
"""Independent dense-city generator for the cross-check (证照比对) of Meijian.

    python3 bench/independent/gen.py --records N --seed S --out DIR [--city 370100] [--as-of DATE]

Written from the file contract only (/work/shared/DATA.md §Registries and §The cross-check
result, /work/shared/DOMAIN.md for identifier formats). It writes the registry CSVs
(registrations, licenses, salon_filings, platform_merchants, tax; practitioners, products and
ad_certificates header-only) and ground_truth.csv (来源,记录键,主体编号,分类) for the five
cross-check registries. Operators are generated one at a time and written at once, so memory is
bounded by the city's fixed pools (towers, roads, trade names), not by the number of records.
See README.md next to this file for the phenomena and their rates.

Standard library only. Deterministic for a given (--records, --seed, --city, --as-of).
"""

import argparse
from hashlib import blake2b
import csv
import datetime as dt
import os
import random
import sys

# --------------------------------------------------------------------------------------------
# identifiers (DOMAIN.md §1, §5)

USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VAL = {c: i for i, c in enumerate(USCC_ALPHA)}
USCC_W = [pow(3, i, 31) for i in range(17)]
ORG_VAL = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_C = "10X98765432"


def org_check(body8):
    s = sum(ORG_VAL[c] * w for c, w in zip(body8, ORG_W))
    v = 11 - s % 11
    return "X" if v == 10 else ("0" if v == 11 else str(v))


def uscc_check(c17):
    s = sum(USCC_VAL[c] * w for c, w in zip(c17, USCC_W))
    return USCC_ALPHA[(31 - s % 31) % 31]


def uscc_valid(code):
    if len(code) != 18 or any(c not in USCC_VAL for c in code):
        return False
    return uscc_check(code[:17]) == code[17]


def mod11_10(body):
    p = 10
    for d in body:
        s = (p % 11) + int(d)
        s = s % 10 or 10
        p = 2 * s
    return str((11 - p % 11) % 10)


def id_check(body17):
    return ID_C[sum(int(c) * w for c, w in zip(body17, ID_W)) % 11]


def scramble(i, mod, mul=2654435761, add=12345):
    """A bijection on 0..mod-1 when gcd(mul, mod) == 1 (mod a power of a prime that does not divide mul)."""
    return (i * mul + add) % mod


def base31(n, width):
    s = []
    for _ in range(width):
        s.append(USCC_ALPHA[n % 31])
        n //= 31
    return "".join(reversed(s))


class Ids:
    """Unique identifiers from counters (so no set of issued keys is needed)."""

    def __init__(self, rng):
        self.n_org = 0
        self.n_person = 0
        self.n_lic = 0
        self.n_salon = 0
        self.n_url = 0
        self.n_regno = 0
        self.salt = rng.randrange(1, 10**6)

    def org_body(self, new_style):
        """8-char body of an organisation code; new entities (since 2015) get MA…"""
        i = self.n_org
        self.n_org += 1
        if new_style:
            # 31**6 = 887,503,681 values; 3**k-free multiplier keeps it a bijection (31 is prime).
            return "MA" + base31(scramble(i, 31**6, 1103515245, self.salt), 6)
        # 8 digits; 10**8 modulus, multiplier coprime with 10.
        return "%08d" % scramble(i, 10**8, 2654435761, self.salt)

    def uscc(self, dept_cat, region, new_style=True):
        body = self.org_body(new_style)
        org = body + org_check(body)
        c17 = dept_cat + region + org
        return c17 + uscc_check(c17)

    def regno15(self, region, kind_digit):
        """Old 15-digit 工商注册号 (GS 15-2006): region, 8-digit sequence whose first digit is the type."""
        i = self.n_regno
        self.n_regno += 1
        seq = kind_digit + "%07d" % scramble(i, 10**7, 2654435761, self.salt)
        body = region + seq
        return body + mod11_10(body)

    def person_id(self, region, year_lo=1960, year_hi=2000):
        i = self.n_person
        self.n_person += 1
        days = (dt.date(year_hi, 12, 31) - dt.date(year_lo, 1, 1)).days
        d = dt.date(year_lo, 1, 1) + dt.timedelta(days=scramble(i, days, 7919, self.salt % days))
        seq = "%03d" % ((i // days) % 1000)
        body = region + d.strftime("%Y%m%d") + seq
        return body + id_check(body)

    def license_no(self, org9, region, econ, cat4, manage):
        return org9 + region + econ + cat4 + manage

    def license_opaque(self, region):
        i = self.n_lic
        self.n_lic += 1
        return "PDY%08d%s17D2%s" % (scramble(i, 10**8, 48271, self.salt), region, "1")

    def filing_cert(self, region, year):
        i = self.n_lic
        self.n_lic += 1
        return "ZSBA%s%d%06d" % (region, year, scramble(i, 10**6, 48271, self.salt) if i < 10**6 else i)

    def salon_no(self, region, year):
        i = self.n_salon
        self.n_salon += 1
        return "MRBA%s%d%07d" % (region, year, i)

    def url_id(self):
        i = self.n_url
        self.n_url += 1
        return scramble(i, 10**9, 2654435761, self.salt) + 10**9


# --------------------------------------------------------------------------------------------
# geography

CITIES = {
    "370100": ("山东省", "济南市", "鲁", [
        ("370102", "历下区"), ("370103", "市中区"), ("370104", "槐荫区"), ("370105", "天桥区"),
        ("370112", "历城区"), ("370113", "长清区"), ("370114", "章丘区"), ("370115", "济阳区"),
        ("370116", "莱芜区"), ("370124", "平阴县"), ("370126", "商河县")]),
    "370400": ("山东省", "枣庄市", "鲁", [
        ("370402", "市中区"), ("370403", "薛城区"), ("370404", "峄城区"), ("370405", "台儿庄区"),
        ("370406", "山亭区"), ("370481", "滕州市")]),
    "330600": ("浙江省", "绍兴市", "浙", [
        ("330602", "越城区"), ("330603", "柯桥区"), ("330604", "上虞区"), ("330624", "新昌县"),
        ("330681", "诸暨市"), ("330683", "嵊州市")]),
    "440300": ("广东省", "深圳市", "粤", [
        ("440303", "罗湖区"), ("440304", "福田区"), ("440305", "南山区"), ("440306", "宝安区"),
        ("440307", "龙岗区"), ("440308", "盐田区"), ("440309", "龙华区"), ("440310", "坪山区")]),
    "510100": ("四川省", "成都市", "川", [
        ("510104", "锦江区"), ("510105", "青羊区"), ("510106", "金牛区"), ("510107", "武侯区"),
        ("510108", "成华区"), ("510116", "双流区"), ("510122", "双流县")]),
}

# Hand-picked vocabularies (written for this generator).
ROAD_A = list("锦鹤桐枫槐松柳杏梅荷兰竹榆杉桂菊梧椿楠樟萍漪澜泓渊溪泉湖潭滨洲屿岚峰岭坡冈原野阳晖旭晨曦明瑞祥福安宁康泰和顺兴隆昌盛丰华")
ROAD_B = ["路", "路", "路", "大街", "街", "大道", "东路", "西路", "南路", "北路", "中路", "巷"]
STREET_SUFFIX = "街道"
TOWER_A = ["环球", "汇金", "鼎盛", "星河", "中润", "恒隆", "嘉华", "银座", "世茂", "华润", "远洋", "泰悦",
           "铭城", "国际", "金融", "时代", "明珠", "天玺", "云鼎", "海岸", "城市", "未来", "凯旋", "中央"]
TOWER_B = ["大厦", "中心", "广场", "国际中心", "商务中心", "写字楼", "金融中心", "财富中心", "大楼", "SOHO"]
MALL_B = ["购物中心", "广场", "天地", "万象城", "商业街", "生活广场"]
RESID_A = ["翠苑", "锦园", "雅居", "花园", "新村", "家园", "公馆", "华府", "名邸", "小区"]
CN_NUM = "零一二三四五六七八九"

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("婷雯静丽娜敏燕霞玲芳晶颖琳洁欣怡佳悦琪瑶萱蕾倩雪梅兰菲璐妍茜慧晓宇浩明军伟强磊鹏飞杰涛斌超勇峰辉亮刚志鑫博文华建国平海波")

# Characters for 字号 (trade names). 2-character 字号 are drawn from these.
TRADE_CHARS = list("澜庭沐禾瑾瑜栖悦璞臻檀芮汐朵棠蔓樾若黛姝婉雅菁萃茗岚熙昕曦柏榕槿蕴妍韵舒沁澄漾泊屿岸素锦绮瑶琪璇琳珂玥钰宸尚御铂铉诺维卡伊兰黎莎蒂缇娅蔻芙菲蕾茉薇蔚彤丹青墨兮然初念遇见歌颜肌研焕驻凝羽翎")
BRAND_LATIN = ["Luna", "Aurora", "Muse", "Vivi", "Coco", "Mira", "Elle", "Joy", "Nana", "Iris", "Glow", "Bloom",
               "Rosie", "Zoe", "Ivy", "Kiki", "Lumi", "Nova", "Seren", "Amber", "Yuki", "Mochi", "Pearl", "Sola"]
# Characters for Chinese brand names (kept apart from TRADE_CHARS, so a brand rarely looks like a 字号).
BRAND_CHARS = list("星野光语森屿麦芽糖橘柚桃梨杏莓果冰雪云朵月影花火风铃鹿猫鲸兔贝壳珍珠琥珀翡翠水晶钻石蓝白金银")
BRAND_CN = ["肌研所", "光感", "素颜", "逆龄", "焕肤", "美学", "颜究", "皮肤科学", "轻颜", "初见", "悦己", "无龄"]
BRAND_SUFFIX = ["轻医美", "医美中心", "皮肤管理中心", "抗衰中心", "美学中心", "CLINIC", "医疗美容", "光电中心",
                "注射美容", "Skin Lab", "整形", "私人定制"]

# Service vocabularies. AESTHETIC ones make a record in scope (DATA.md: injections, fillers, laser and
# light treatments, surgery); PLAIN ones do not.
AESTH_SERVICES = ["水光针", "玻尿酸填充", "肉毒素除皱", "光子嫩肤", "激光祛斑", "热玛吉", "超声刀", "埋线提升",
                  "双眼皮手术", "隆鼻", "吸脂塑形", "皮秒", "点阵激光", "溶脂针", "胶原蛋白注射", "激光脱毛",
                  "瘦脸针", "自体脂肪填充"]
PLAIN_SERVICES = ["面部护理", "美甲", "美睫", "头部SPA", "足疗", "美发", "化妆造型", "皮肤清洁", "补水保湿护理",
                  "肩颈按摩", "身体护理", "小气泡清洁", "头皮护理", "精油开背"]
AESTH_CATEGORIES = ["医疗美容", "医疗美容/注射美容", "医美/皮肤美容", "医疗美容/光电美肤", "整形外科/眼部整形",
                    "医美/抗衰紧致", "医疗美容/微整形"]
PLAIN_CATEGORIES = ["丽人/美容SPA", "丽人/美甲美睫", "丽人/美发", "休闲娱乐/足疗按摩", "丽人/皮肤管理",
                    "生活服务/养生"]
FOOD_CATEGORIES = ["美食/火锅", "美食/咖啡厅", "美食/面包甜点", "美食/快餐简餐"]
DENTAL_CATEGORIES = ["医疗/口腔齿科", "医疗/体检中心"]

SCOPE_MED = ["许可项目：医疗美容服务；医疗服务。一般项目：美容服务；化妆品零售；健康咨询服务（不含诊疗服务）。",
             "医疗美容服务（美容外科、美容皮肤科）；美容服务；化妆品销售。",
             "许可项目：医疗美容服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
             "医疗美容服务；医疗美容项目咨询；企业管理咨询；化妆品零售。"]
SCOPE_MED_MGMT = ["企业管理咨询；医疗美容项目咨询；市场营销策划；化妆品零售。"]
SCOPE_SALON = ["一般项目：美容服务；美甲服务；化妆品零售；养生保健服务（非医疗）。",
               "生活美容服务；美发服务；日用百货销售。",
               "美容美发服务；足浴服务；化妆品零售。",
               "一般项目：美容服务；个人卫生用品销售；健康咨询服务（不含诊疗服务）。"]
SCOPE_DENTAL = ["许可项目：医疗服务（口腔科）。一般项目：健康咨询服务（不含诊疗服务）。",
                "医疗服务；第二类医疗器械销售。"]
SCOPE_FOOD = ["餐饮服务；食品销售。", "许可项目：餐饮服务。一般项目：外卖递送服务。"]
SCOPE_OFFICE = ["软件开发；信息技术咨询服务；广告设计、代理。", "企业管理咨询；会议及展览服务；礼仪服务。",
                "服装服饰零售；箱包销售；珠宝首饰零售。", "教育咨询服务（不含涉许可审批的教育培训活动）。"]

PLATFORMS = [("美团", "https://www.meituan.com/shop/{}/"), ("大众点评", "https://www.dianping.com/shop/{}"),
             ("新氧", "https://www.soyoung.com/hospital/{}"), ("更美", "https://m.igengmei.com/hospital/{}"),
             ("抖音", "https://haohuo.jinritemai.com/views/shop/index?id={}"),
             ("小红书", "https://www.xiaohongshu.com/user/profile/{:x}"),
             ("淘宝", "https://shop{}.taobao.com")]

TRAD = str.maketrans("医疗门诊区东号楼层广场丽颜国华银铁时园馆庄发术护肤经营计划业单务厅电体宝龙凤云台风书义术专卫乐龄临",
                     "醫療門診區東號樓層廣場麗顏國華銀鐵時園館莊發術護膚經營計劃業單務廳電體寶龍鳳雲臺風書義術專衛樂齡臨")
FULLW = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz()-",
                      "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ（）－")
HOMOPHONE = {"丽": "莉", "颜": "妍", "妍": "颜", "悦": "越", "澜": "兰", "琳": "林", "雅": "娅", "韵": "云", "锦": "金",
             "菲": "非", "薇": "微", "熙": "希", "曦": "希", "瑶": "遥", "蔻": "寇", "诊": "珍", "美": "媄",
             "庭": "廷", "臻": "真", "禾": "和", "素": "苏", "若": "偌", "门": "们", "号": "好"}


def cn_num(n):
    """1..99 in Chinese numerals (十二, 二十, 三十五)."""
    if n < 10:
        return CN_NUM[n]
    t, u = divmod(n, 10)
    return ("" if t == 1 else CN_NUM[t]) + "十" + ("" if u == 0 else CN_NUM[u])


# --------------------------------------------------------------------------------------------
# the city: districts with roads, towers, malls, cluster addresses and popular 字号


class Place:
    """A building (tower, mall, residence, street front) in one district."""

    __slots__ = ("district", "road", "number", "street", "cross", "corner", "name", "block", "kind",
                 "next_slot", "floors")

    def __init__(self, district, road, number, street, cross, corner, name, block, kind, floors):
        self.district = district
        self.road = road
        self.number = number
        self.street = street
        self.cross = cross
        self.corner = corner
        self.name = name
        self.block = block
        self.kind = kind
        self.next_slot = 0
        self.floors = floors


class City:
    def __init__(self, rng, code, n_ops):
        self.code = code
        if code in CITIES:
            self.province, self.name, self.abbr, self.districts = CITIES[code]
        else:
            self.province, self.name, self.abbr = "某省", "某市", "某"
            self.districts = [(code[:4] + "%02d" % i, "第%s区" % CN_NUM[i]) for i in range(1, 8)]
        self.short = self.name[:-1]
        nd = len(self.districts)
        # Central districts hold most of the businesses.
        self.dweights = [max(1.0, 8.0 / (i + 1) ** 0.8) for i in range(nd)]
        roads_per = max(12, int((n_ops / nd) ** 0.5 / 2))
        self.roads = []
        self.streets = []
        for _ in range(nd):
            names = set()
            while len(names) < roads_per:
                a, b = rng.sample(ROAD_A, 2)
                names.add(a + b + rng.choice(ROAD_B))
            self.roads.append(sorted(names))
            st = set()
            while len(st) < max(4, roads_per // 5):
                st.add(rng.choice(ROAD_A) + rng.choice(ROAD_A) + STREET_SUFFIX)
            self.streets.append(sorted(st))
        # Towers and malls: about 55% of the operators sit in one, 35 on average per tower.
        n_towers = max(6, int(n_ops * 0.55 / 35))
        self.towers = [self._place(rng, "tower") for _ in range(n_towers)]
        n_malls = max(3, int(n_ops * 0.12 / 45))
        self.malls = [self._place(rng, "mall") for _ in range(n_malls)]
        # Cluster registration addresses (集中登记地): few, each shared by hundreds.
        n_clusters = max(2, int(n_ops / 4000))
        self.clusters = [self._place(rng, "cluster") for _ in range(n_clusters)]
        # Popular 字号 per district: reused by unrelated businesses.
        # (about 35% of businesses take one; each popular 字号 ends up with ~100-200 unrelated users in
        # a central district whatever N is)
        self.popular = []
        wsum = sum(self.dweights)
        for i in range(nd):
            k = max(12, int(0.35 * n_ops * self.dweights[i] / wsum / 150))
            self.popular.append([rng.choice(TRADE_CHARS) + rng.choice(TRADE_CHARS) for _ in range(k)])
        self.tower_weights = None

    def district_index(self, rng):
        return rng.choices(range(len(self.districts)), self.dweights)[0]

    def _place(self, rng, kind):
        d = self.district_index(rng)
        road = rng.choice(self.roads[d])
        cross = rng.choice(self.roads[d])
        while cross == road:
            cross = rng.choice(self.roads[d])
        number = rng.randint(1, 1999) if rng.random() < 0.8 else rng.randint(1, 120)
        street = rng.choice(self.streets[d])
        corner = rng.choice(["东北角", "西北角", "东南角", "西南角", "北侧", "南侧", "东侧", "西侧"])
        if kind == "mall":
            name = rng.choice(TOWER_A) + rng.choice(MALL_B)
            block = ""
            floors = 6
        elif kind == "cluster":
            name = rng.choice(TOWER_A) + rng.choice(["创业园", "众创空间", "孵化器", "商务秘书中心"])
            block = ""
            floors = 1
        else:
            name = rng.choice(TOWER_A) + rng.choice(TOWER_B)
            r = rng.random()
            block = (rng.choice("ABCDE") + "座") if r < 0.35 else (("%d号楼" % rng.randint(1, 9)) if r < 0.6 else "")
            floors = rng.randint(8, 40)
        return Place(d, road, number, street, cross, corner, name, block, kind, floors)

    def street_front(self, rng, d):
        road = rng.choice(self.roads[d])
        cross = rng.choice(self.roads[d])
        p = Place(d, road, rng.randint(1, 1999), rng.choice(self.streets[d]), cross,
                  rng.choice(["东北角", "西南角", "北侧", "南侧"]), "", "", "front", 1)
        return p

    def residence(self, rng, d):
        road = rng.choice(self.roads[d])
        name = rng.choice(ROAD_A) + rng.choice(ROAD_A) + rng.choice(RESID_A)
        return Place(d, road, rng.randint(1, 999), rng.choice(self.streets[d]), road, "", name, "",
                     "residence", 33)


class Loc:
    """Where one operator is: a place plus floor and room."""

    __slots__ = ("place", "floor", "room", "unit")

    def __init__(self, place, floor, room, unit=0):
        self.place = place
        self.floor = floor
        self.room = room
        self.unit = unit


def take_slot(rng, place):
    """A floor and room in a building not yet given to another operator."""
    s = place.next_slot
    place.next_slot += 1
    if place.kind == "mall":
        floor = (s % 6) + 1 if (s % 7) else -1  # some in B1
        room = (s // 7) % 60 + 1 + 60 * (s // 420)
    elif place.kind == "cluster":
        return Loc(place, 8, s + 1)
    elif place.kind == "residence":
        return Loc(place, rng.randint(1, 33), rng.randint(1, 4), rng.randint(1, 6))
    else:
        floor = s % place.floors + 1
        room = s // place.floors + 1
    return Loc(place, floor, room)


def neighbour_slot(rng, loc):
    """A room next to (or a floor away from) an existing one, for a family business."""
    p = loc.place
    p.next_slot += 1  # keep the tower's count honest
    base = 200 + p.next_slot
    floor = loc.floor + rng.choice([1, -1]) if loc.floor > 1 else 2
    return Loc(p, floor, base % 97 + 30)


# --------------------------------------------------------------------------------------------
# rendering (different registries write the same place differently)


def floor_text(rng, f):
    if f < 0:
        return rng.choice(["B1层", "负一层", "B1"])
    r = rng.random()
    if r < 0.45:
        return "%d层" % f
    if r < 0.7:
        return "%d楼" % f
    if r < 0.85:
        return cn_num(f) + "楼"
    return "%dF" % f


def room_text(rng, place, f, room):
    if place.kind == "mall":
        fl = "B1" if f < 0 else "%dF" % f
        r = rng.random()
        if r < 0.4:
            return "%s-%02d" % (fl, room)
        if r < 0.7:
            return "%s层%02d号商铺" % ("B1" if f < 0 else str(f), room)
        return "%sL%d-%03d" % ("" if f >= 0 else "B", abs(f), room)
    num = "%d%02d" % (f, room)
    r = rng.random()
    if r < 0.45:
        return "%s层%s室" % (f, num) if rng.random() < 0.5 else "%s室" % num
    if r < 0.7:
        return num
    if r < 0.85:
        return "%s号" % num
    return "%d-%02d" % (f, room)


def render_address(rng, city, loc, style=None, with_room=True):
    """One way of writing the operator's address, keeping floor/room consistent."""
    p = loc.place
    dname = city.districts[p.district][1]
    head_r = rng.random()
    head = (city.province + city.name + dname) if head_r < 0.2 else (
        (city.name + dname) if head_r < 0.65 else (dname if head_r < 0.9 else ""))
    if style is None:
        r = rng.random()
        style = "cross" if r < 0.12 else ("street" if r < 0.24 else ("nameonly" if r < 0.32 else "plain"))
    if p.kind == "residence":
        unit = "%d号楼%d单元%d%02d" % (loc.floor % 20 + 1, loc.unit, loc.room + 1, loc.floor) if with_room else ""
        base = "%s%d号%s" % (p.road, p.number, p.name) if style != "nameonly" else p.name
        if style == "street":
            base = p.street + base
        return head + base + unit
    if p.kind == "front":
        if style == "cross":
            return head + "%s与%s交叉口%s" % (p.road, p.cross, p.corner)
        if style == "street":
            return head + p.street + "%s%d号" % (p.road, p.number)
        return head + "%s%d号%s" % (p.road, p.number, rng.choice(["", "", "商铺", "一楼", "1-2层"]))
    if p.kind == "cluster":
        base = "%s%d号%s" % (p.road, p.number, p.name)
        slot = rng.choice(["%d层%d室-%04d号", "%d楼%d室（集中办公区）%04d号工位", "%d层%d-%04d"])
        return head + base + (slot % (loc.floor, 800 + loc.floor, loc.room)) + rng.choice(
            ["（集中登记地）", "（住所申报）", "（托管）", ""])
    bld = p.name + p.block
    if rng.random() < 0.25 and p.block:
        bld = p.block  # the tower name is dropped, only B座 kept
    if style == "cross":
        base = "%s与%s交叉口%s%s" % (p.road, p.cross, p.corner, p.name + p.block)
    elif style == "street":
        base = p.street + "%s%d号%s" % (p.road, p.number, bld)
    elif style == "nameonly":
        base = p.name + p.block
    else:
        base = "%s%d号%s" % (p.road, p.number, bld if rng.random() < 0.8 else "")
    if not with_room:
        return head + base + (floor_text(rng, loc.floor) if rng.random() < 0.5 else "")
    if p.kind == "tower" and p.block and rng.random() < 0.3:
        # B座305 style: block letter directly followed by floor+room
        return head + base.replace(p.block, "") + p.block + "%d%02d" % (loc.floor, loc.room)
    return head + base + room_text(rng, p, loc.floor, loc.room)


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


# --------------------------------------------------------------------------------------------
# noise


def noisy(rng, s, rate):
    """Typos, traditional characters, full-width characters, spacing."""
    if not s or rng.random() >= rate:
        return s
    r = rng.random()
    if r < 0.3:
        cs = list(s)
        idx = [i for i, c in enumerate(cs) if c in HOMOPHONE]
        if idx:
            i = rng.choice(idx)
            cs[i] = HOMOPHONE[cs[i]]
            return "".join(cs)
        return s
    if r < 0.5:
        return s.translate(TRAD)
    if r < 0.7:
        return s.translate(FULLW)
    if r < 0.85:
        i = rng.randrange(1, len(s)) if len(s) > 1 else 1
        return s[:i] + rng.choice([" ", "  ", "\u3000"]) + s[i:]
    if r < 0.93:
        return s.replace("（", "(").replace("）", ")") if "（" in s else " " + s + " "
    if len(s) > 4:  # a dropped character
        i = rng.randrange(2, len(s))
        return s[:i - 1] + s[i:]
    return s


def mistype_code(rng, code):
    """A code as someone typed it: a wrong character, a swap, O for 0, lowercase, spaces."""
    if not code:
        return code
    r = rng.random()
    cs = list(code)
    if r < 0.35:
        i = rng.randrange(len(cs))
        alts = [c for c in USCC_ALPHA if c != cs[i]]
        cs[i] = rng.choice(alts)
        return "".join(cs)
    if r < 0.6:
        i = rng.randrange(len(cs) - 1)
        if cs[i] == cs[i + 1]:
            cs[i] = "0" if cs[i] != "0" else "1"
        else:
            cs[i], cs[i + 1] = cs[i + 1], cs[i]
        return "".join(cs)
    if r < 0.72:
        return code.replace("0", "O", 1) if "0" in code else code[:-1]
    if r < 0.82:
        return code.lower()
    if r < 0.9:
        return code[:6] + " " + code[6:]
    return code[:-1]  # 17 characters, the last one lost


# --------------------------------------------------------------------------------------------
# writer

HEADERS = {
    "registrations": ["统一社会信用代码", "主体名称", "主体类型", "法定代表人", "住所", "经营范围", "登记状态",
                      "成立日期", "登记机关", "行政区划代码"],
    "licenses": ["登记号", "证件类型", "机构名称", "统一社会信用代码", "机构类别", "诊疗科目", "地址", "法定代表人",
                 "主要负责人", "有效期至", "发证机关", "行政区划代码", "状态"],
    "salon_filings": ["备案编号", "店铺名称", "统一社会信用代码", "地址", "经营者", "服务项目", "行政区划代码"],
    "platform_merchants": ["平台名称", "店铺名称", "主体名称", "统一社会信用代码", "地址", "服务类目", "店铺链接",
                           "行政区划代码"],
    "tax": ["纳税人识别号", "纳税人名称", "生产经营地址", "主管税务机关", "行政区划代码"],
    "practitioners": ["姓名", "证书编码", "人员类别", "执业类别", "执业范围", "主执业机构", "主执业机构登记号",
                      "主诊医师专业", "状态", "行政区划代码"],
    "products": ["注册证编号", "产品名称", "产品类别", "注册人", "规格型号", "适用范围", "批准日期", "有效期至", "状态",
                 "重点产品", "产品标识"],
    "ad_certificates": ["证明文号", "医疗机构名称", "登记号", "媒体类别", "广告内容", "有效期起", "有效期至"],
}
KEY_COL = {"registrations": 0, "licenses": 0, "salon_filings": 0, "platform_merchants": 6, "tax": 0}
LINKED = ["registrations", "licenses", "salon_filings", "platform_merchants", "tax"]


class Bloom:
    """Names already taken (registered names and institution names are unique in a city).

    A bit array of fixed size, so memory does not grow with N; a false positive only makes the
    generator pick another name. Deterministic (blake2b, not the salted hash())."""

    def __init__(self, bits=1 << 27):
        self.mask = bits - 1
        self.a = bytearray(bits >> 3)

    def add(self, s):
        h = int.from_bytes(blake2b(s.encode("utf-8"), digest_size=16).digest(), "little")
        idx = []
        for _ in range(4):
            idx.append(h & self.mask)
            h >>= 32
        a = self.a
        if all(a[i >> 3] & (1 << (i & 7)) for i in idx):
            return False
        for i in idx:
            a[i >> 3] |= 1 << (i & 7)
        return True


class Out:
    def __init__(self, out_dir):
        os.makedirs(out_dir, exist_ok=True)
        self.files = {}
        self.writers = {}
        for name, header in HEADERS.items():
            f = open(os.path.join(out_dir, name + ".csv"), "w", encoding="utf-8", newline="",
                     buffering=1 << 20)
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            self.files[name] = f
            self.writers[name] = w
        f = open(os.path.join(out_dir, "ground_truth.csv"), "w", encoding="utf-8", newline="",
                 buffering=1 << 20)
        self.files["_truth"] = f
        self.truth = csv.writer(f, lineterminator="\n")
        self.truth.writerow(["来源", "记录键", "主体编号", "分类"])
        self.count = 0
        self.by_source = dict.fromkeys(LINKED, 0)
        self.by_class = {}

    def close(self):
        for f in self.files.values():
            f.close()


class Operator:
    """Records of one real-world operator, collected before they are written."""

    __slots__ = ("rows", "scope", "zhao", "zheng")

    def __init__(self):
        self.rows = []  # (source, row)
        self.scope = False
        self.zhao = False
        self.zheng = False


# --------------------------------------------------------------------------------------------
# the generator


class Gen:
    def __init__(self, args):
        self.rng = rng = random.Random(args.seed)
        self.as_of = dt.date.fromisoformat(args.as_of)
        # about 2.3 records per operator on average
        self.n_ops_est = max(200, int(args.records / 3.0))
        self.city = City(rng, args.city, self.n_ops_est)
        self.ids = Ids(rng)
        self.out = Out(args.out)
        self.target = args.records
        self.op_seq = 0
        self.recent = []  # a small ring of recent tower locations, for 'old address' reuse
        # Tower choice weights: a few towers are very crowded.
        self.tower_cum = None
        n = len(self.city.towers)
        # size classes: most towers hold ~15 businesses, a few big complexes ~300 (independent of N)
        w = [rng.choices([1.0, 3.0, 8.0, 20.0], [0.70, 0.20, 0.09, 0.01])[0] for _ in range(n)]
        acc = 0.0
        cum = []
        for x in w:
            acc += x
            cum.append(acc)
        self.tower_cum = cum
        self.names = Bloom()

    # ---- small helpers ------------------------------------------------------------------

    def date_text(self, d):
        r = self.rng.random()
        if r < 0.75:
            return d.isoformat()
        if r < 0.9:
            return "%d/%d/%d" % (d.year, d.month, d.day)
        return "%d年%d月%d日" % (d.year, d.month, d.day)

    def founded(self, old=False):
        rng = self.rng
        if old:
            return dt.date(2003, 1, 1) + dt.timedelta(days=rng.randrange(0, 12 * 365 - 30))
        return dt.date(2015, 11, 1) + dt.timedelta(days=rng.randrange(0, (self.as_of - dt.date(2015, 11, 1)).days - 10))

    def region_of(self, d, p_city=0.08, p_blank=0.0):
        r = self.rng.random()
        if r < p_blank:
            return ""
        if r < p_blank + p_city:
            return self.city.code
        return self.city.districts[d][0]

    def dname(self, d):
        return self.city.districts[d][1]

    def trade_name(self, d):
        rng = self.rng
        if rng.random() < 0.35:
            return rng.choice(self.city.popular[d])
        return rng.choice(TRADE_CHARS) + rng.choice(TRADE_CHARS)

    def brand(self):
        """A platform brand unlike the registered 字号. About a quarter are generic (a few hundred
        forms, reused across the city); the rest are specific (tens of thousands of forms)."""
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            b = rng.choice(BRAND_LATIN) + rng.choice(["", "·", " "]) + rng.choice(BRAND_SUFFIX)
        elif r < 0.25:
            b = rng.choice(BRAND_CN) + rng.choice(BRAND_SUFFIX)
        elif r < 0.5:
            b = rng.choice(BRAND_LATIN) + rng.choice(BRAND_LATIN).lower() + rng.choice(["", "·", " "]) + rng.choice(BRAND_SUFFIX)
        elif r < 0.85:
            b = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS) + rng.choice(BRAND_SUFFIX)
        else:
            b = "Dr." + rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["医美", "皮肤科", "整形工作室"])
        return b

    def tower_loc(self):
        rng = self.rng
        i = self.bisect(rng.random() * self.tower_cum[-1])
        loc = take_slot(rng, self.city.towers[i])
        if len(self.recent) < 512:
            self.recent.append(loc)
        else:
            self.recent[rng.randrange(512)] = loc
        return loc

    def bisect(self, x):
        cum = self.tower_cum
        lo, hi = 0, len(cum)
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return min(lo, len(cum) - 1)

    def location(self, tower=0.62, mall=0.12, resid=0.0):
        rng = self.rng
        r = rng.random()
        if r < tower:
            return self.tower_loc()
        if r < tower + mall:
            return take_slot(rng, rng.choice(self.city.malls))
        d = self.city.district_index(rng)
        if r < tower + mall + resid:
            return take_slot(rng, self.city.residence(rng, d))
        return Loc(self.city.street_front(rng, d), 1, 0)

    def unique_lic_name(self, *candidates):
        """The first candidate institution name not yet taken in the city (the last one regardless)."""
        for c in candidates:
            if self.names.add("L:" + c):
                return c
        return candidates[-1]

    def spot(self, **kw):
        loc = self.location(**kw)
        return loc, loc.place.district

    def cluster_loc(self):
        rng = self.rng
        return take_slot(rng, rng.choice(self.city.clusters))

    def addr(self, loc, **kw):
        return noisy(self.rng, render_address(self.rng, self.city, loc, **kw), 0.06)

    def code_as_reported(self, code, p_blank, p_typo, regno=None, p_regno=0.0):
        rng = self.rng
        r = rng.random()
        if r < p_blank:
            return ""
        r = rng.random()
        if regno and r < p_regno:
            return regno
        if r < p_regno + p_typo:
            return mistype_code(rng, code)
        if rng.random() < 0.01:
            return code.translate(FULLW)
        return code

    # ---- records -------------------------------------------------------------------------

    def registration(self, op, ent, status=None, scope_text=None, name=None, addr=None):
        rng = self.rng
        if status is None:
            r = rng.random()
            status = "存续" if r < 0.8 else ("在业" if r < 0.93 else ("迁出" if r < 0.96 else
                                                                    ("注销" if r < 0.985 else "吊销")))
        scope = scope_text if scope_text is not None else ent["scope"]
        if rng.random() < 0.0008:
            scope = scope.replace("；", "；\n", 1)  # an export with an embedded newline
        d = ent["d"]
        auth = (self.city.name + self.dname(d) + "市场监督管理局") if rng.random() < 0.8 else (
            self.city.name + "市场监督管理局")
        code = ent["uscc"]
        if rng.random() < 0.001:
            i = rng.randrange(18)  # a bad code in the registry itself (reported, not linked by code)
            code = code[:i] + rng.choice([c for c in USCC_ALPHA if c != code[i]]) + code[i + 1:]
        row = [code, noisy(rng, name or ent["name"], 0.02), ent["etype"], ent["rep"],
               addr if addr is not None else self.addr(ent["reg_loc"]), scope, status,
               self.date_text(ent["founded"]), auth, self.region_of(d, 0.04)]
        op.rows.append(("registrations", row))
        if "医疗美容" in scope:
            op.scope = True
        if status not in ("注销", "吊销"):
            op.zhao = True
        return row

    def license(self, op, ent, lic, status=None, valid_until=None, lic_code=None):
        rng = self.rng
        if status is None:
            status = "有效"
        if valid_until is None:
            valid_until = self.as_of + dt.timedelta(days=rng.randrange(20, 5 * 365))
        d = ent["d"]
        key = lic.get("no")
        if key is None:
            key = self.license_key(ent, lic)
        auth = (self.city.name + self.dname(d) + "卫生健康局") if rng.random() < 0.6 else (
            self.city.name + "卫生健康委员会")
        code = lic_code if lic_code is not None else self.code_as_reported(
            ent["uscc"], 0.14, 0.05, ent.get("regno"), 0.25 if ent.get("regno") else 0.0)
        subjects = lic["subjects"]
        sep = rng.choice(["；", ";", "、", ",", "；"])
        row = [key, lic.get("type", "执业许可证"), noisy(rng, lic["name"], 0.04), code, lic["category"],
               sep.join(subjects), self.addr(lic.get("loc", ent["loc"])), ent["rep"],
               lic.get("principal") or (ent["rep"] if rng.random() < 0.5 else person_name(rng)),
               self.date_text(valid_until), auth, self.region_of(d, 0.05), status]
        op.rows.append(("licenses", row))
        if lic["category"] in ("美容医院", "医疗美容门诊部", "医疗美容诊所") or any(
                s in ("医疗美容科", "美容外科", "美容牙科", "美容皮肤科", "美容中医科") for s in subjects):
            op.scope = True
        if status == "有效" and valid_until >= self.as_of:
            op.zheng = True
        return row

    def license_key(self, ent, lic):
        rng = self.rng
        region = self.city.districts[ent["d"]][0]
        if lic.get("type") == "诊所备案凭证":
            return self.ids.filing_cert(region, rng.randint(2023, self.as_of.year))
        org9 = ent["uscc"][8:17] if ent.get("uscc") else None
        if org9 and not ent.get("org_key_used") and rng.random() < 0.72:
            ent["org_key_used"] = True
            return self.ids.license_no(org9, region, lic.get("econ", "17"), lic.get("cat4", "D216"),
                                       lic.get("manage", "2")) + ("" if rng.random() < 0.9 else "-%d" % rng.randint(2, 9))
        return self.ids.license_opaque(region)

    def salon(self, op, ent, services, name=None, loc=None, code=None):
        rng = self.rng
        d = ent["d"]
        key = self.ids.salon_no(self.city.districts[d][0], rng.randint(2019, self.as_of.year))
        row = [key, noisy(rng, name or ent.get("shop") or ent["name"], 0.05),
               code if code is not None else self.code_as_reported(ent.get("uscc", ""), 0.3, 0.05),
               self.addr(loc or ent["loc"]), ent["rep"], rng.choice(["、", "，", ";"]).join(services),
               self.region_of(d, 0.06)]
        op.rows.append(("salon_filings", row))
        if any(s in AESTH_SERVICES for s in services):
            op.scope = True
        return row

    def shop(self, op, ent, category, shop_name, entity_name=None, code=None, loc=None, platform=None):
        rng = self.rng
        pname, fmt = platform or rng.choice(PLATFORMS)
        url = fmt.format(self.ids.url_id())
        if entity_name is None:
            r = rng.random()
            entity_name = ent.get("name", "") if r < 0.5 else (ent.get("lic_name", "") if r < 0.62 else "")
        if code is None:
            code = self.code_as_reported(ent.get("uscc", ""), 0.62, 0.05, ent.get("regno"), 0.06)
        where = ent.get("loc") if loc is None else loc
        if where is None or where == "none":
            address = ""
        elif rng.random() < 0.08:
            address = ""
        else:
            address = self.addr(where, with_room=rng.random() < 0.8)
        row = [pname, noisy(rng, shop_name, 0.05), noisy(rng, entity_name, 0.03), code, address,
               category, url, self.region_of(ent.get("d", 0), 0.1, 0.25)]
        op.rows.append(("platform_merchants", row))
        if category in AESTH_CATEGORIES:
            op.scope = True
        return row

    def tax(self, op, ent, name=None, taxid=None, addr_loc=None):
        rng = self.rng
        d = ent["d"]
        if taxid is None:
            taxid = ent["uscc"]
            if ent.get("old") and rng.random() < 0.15:
                taxid = ent["uscc"][2:17]  # old 15-character 税务登记号: region + org code
        auth = "国家税务总局" + self.city.name + self.dname(d) + "税务局" + (
            "" if rng.random() < 0.6 else rng.choice(["第一税务所", "第二税务所", "城区税务分局"]))
        row = [taxid, noisy(rng, name or ent["name"], 0.03), self.addr(addr_loc or ent["loc"]), auth,
               self.region_of(d, 0.03)]
        op.rows.append(("tax", row))
        return row

    # ---- entities ------------------------------------------------------------------------

    def entity(self, d, trade, kind, rep=None, loc=None, old=None, reg_loc=None):
        """A registered business: its code, names and place. kind picks the name pattern."""
        rng = self.rng
        if old is None:
            old = rng.random() < 0.22
        founded = self.founded(old)
        loc = loc or self.location()
        d = loc.place.district
        region = self.city.districts[d][0]
        dn = self.dname(d)
        cs = self.city.short
        geti = rng.random() < (0.45 if kind in ("salon", "shop") else (0.12 if kind == "clinic" else 0.03))
        for attempt in range(12):
            if attempt >= 3:  # the name is taken: a third (fourth) character, as businesses do
                trade = trade[:2] + rng.choice(TRADE_CHARS) + (rng.choice(TRADE_CHARS) if attempt >= 7 else "")
            if kind == "clinic":
                form = rng.choice(["医疗美容诊所", "医疗美容门诊部", "医疗美容诊所", "医疗美容医院"])
                if geti:
                    name, etype = "%s%s%s" % (dn, trade, form.replace("医院", "诊所")), "个体工商户"
                else:
                    name, etype = "%s%s%s有限公司" % (cs, trade, form), "有限责任公司"
            elif kind == "mgmt":
                name, etype = "%s%s医疗美容管理有限公司" % (rng.choice([cs, self.city.province[:-1]]), trade), "有限责任公司"
            elif kind == "salon":
                form = rng.choice(["美容店", "美容美体中心", "皮肤管理中心", "美容院", "美业工作室", "养生馆"])
                if geti:
                    name, etype = "%s%s%s" % (dn, trade, form), "个体工商户"
                else:
                    name, etype = "%s%s%s有限公司" % (cs, trade, rng.choice(["美容", "美业", "健康管理", "生物科技"])), "有限责任公司"
            elif kind == "dental":
                name, etype = "%s%s口腔诊所有限公司" % (cs, trade), "有限责任公司"
            elif kind == "food":
                form = rng.choice(["餐饮店", "咖啡馆", "面馆", "烘焙坊", "火锅店"])
                name, etype = ("%s%s%s" % (dn, trade, form), "个体工商户") if geti else (
                    "%s%s餐饮管理有限公司" % (cs, trade), "有限责任公司")
            else:  # office / shop
                form = rng.choice(["信息科技", "文化传媒", "商贸", "教育咨询", "服饰", "珠宝"])
                name, etype = ("%s%s%s店" % (dn, trade, form), "个体工商户") if geti else (
                    "%s%s%s有限公司" % (cs, trade, form), "有限责任公司" if rng.random() < 0.93 else "股份有限公司")
            if self.names.add(name):
                break
        rep = rep or person_name(rng)
        uscc = self.ids.uscc("92" if etype == "个体工商户" else "91", region, new_style=not old)
        ent = {"d": d, "trade": trade, "name": name, "etype": etype, "rep": rep, "uscc": uscc,
               "founded": founded, "old": old, "loc": loc}
        ent["reg_loc"] = reg_loc or ent["loc"]
        if old and rng.random() < 0.5:
            ent["regno"] = self.ids.regno15(region, "6" if etype == "个体工商户" else "0")
        return ent

    # ---- operator archetypes -------------------------------------------------------------

    def op_licensed_clinic(self, op, broken_license=False):
        rng = self.rng
        loc, d = self.spot()
        trade = self.trade_name(d)
        ent = self.entity(d, trade, "clinic", loc=loc)
        form = "医疗美容诊所" if "诊所" in ent["name"] else ("医疗美容门诊部" if "门诊" in ent["name"] else "美容医院")
        r = rng.random()
        if r < 0.08:
            ent["reg_loc"] = self.cluster_loc()  # registered at a virtual cluster address
        elif r < 0.12 and self.recent:
            ent["reg_loc"] = rng.choice(self.recent)  # an old address, now someone else's room
        # Rename: the registration carries the new name, other registries the old.
        renamed = rng.random() < 0.05
        reg_name = ent["name"]
        if renamed:
            for _ in range(5):
                new_trade = self.trade_name(d) + (rng.choice(TRADE_CHARS) if rng.random() < 0.5 else "")
                if self.names.add(ent["name"].replace(trade, new_trade, 1)):
                    reg_name = ent["name"].replace(trade, new_trade, 1)
                    break
            renamed = reg_name != ent["name"]
        scope = rng.choice(SCOPE_MED) if not ent["old"] or rng.random() < 0.5 else rng.choice(
            ["医疗服务；美容服务；化妆品零售。", "诊所服务；美容美发服务。"])  # an old scope: 证 shows the scope
        lic_name = (ent["name"].replace("有限公司", "") if rng.random() < 0.6 else
                    (trade + form if rng.random() < 0.7 else self.city.short + trade + form))
        if form == "美容医院":
            lic_name = lic_name.replace("医疗美容医院", "美容医院").replace("门诊部", "医院")
        lic_name = self.unique_lic_name(lic_name, ent["name"].replace("有限公司", ""),
                                        self.dname(d) + ent["name"].replace("有限公司", ""))
        ent["lic_name"] = lic_name
        self.registration(op, ent, scope_text=scope, name=reg_name)
        cat = {"医疗美容诊所": "医疗美容诊所", "医疗美容门诊部": "医疗美容门诊部", "美容医院": "美容医院"}[form]
        cat4 = {"医疗美容诊所": "D216", "医疗美容门诊部": "D154", "美容医院": "A529"}[cat]
        subjects = ["医疗美容科"] + rng.sample(["美容外科", "美容皮肤科", "美容牙科", "美容中医科"], rng.randint(1, 3))
        if cat != "医疗美容诊所" and rng.random() < 0.4:
            subjects.append("麻醉科")
        lic = {"name": lic_name, "category": cat, "subjects": subjects, "cat4": cat4}
        if cat == "医疗美容诊所" and rng.random() < 0.25:
            lic["type"] = "诊所备案凭证"
        if broken_license:
            r = rng.random()
            if r < 0.45:
                self.license(op, ent, lic, status=rng.choice(["有效", "过期"]),
                             valid_until=self.as_of - dt.timedelta(days=rng.randrange(1, 900)))
            else:
                self.license(op, ent, lic, status=rng.choice(["吊销", "注销"]))
        else:
            if rng.random() < 0.06:  # an older license, replaced
                self.license(op, ent, dict(lic), status="注销",
                             valid_until=self.as_of - dt.timedelta(days=rng.randrange(30, 1500)))
            self.license(op, ent, lic)
        if rng.random() < 0.72:
            self.tax(op, ent, name=ent["name"] if renamed and rng.random() < 0.7 else reg_name)
        self.clinic_shops(op, ent, trade)
        if rng.random() < 0.05:
            self.salon(op, ent, rng.sample(PLAIN_SERVICES, 2) + rng.sample(AESTH_SERVICES, 1),
                       name=trade + rng.choice(["皮肤管理", "美容会所"]))
        return ent

    def clinic_shops(self, op, ent, trade, brand=None):
        rng = self.rng
        n = rng.choices([0, 1, 2, 3, 4], [0.25, 0.35, 0.22, 0.12, 0.06])[0]
        b = brand or (self.brand() if rng.random() < 0.4 else None)
        branch = "（%s店）" % ent["loc"].place.road if rng.random() < 0.6 else ""
        platforms = rng.sample(PLATFORMS, n)
        for p in platforms:
            if b:
                sname = b + branch
            else:
                sname = rng.choice([ent.get("lic_name", ent["name"]), trade + rng.choice(BRAND_SUFFIX)]) + branch
            self.shop(op, ent, rng.choice(AESTH_CATEGORIES), sname, platform=p)

    def op_chain(self, ops_out):
        """A chain: a management company (有照无证 when its scope names 医疗美容) and branches, each its own operator."""
        rng = self.rng
        d0 = self.city.district_index(rng)
        trade = self.trade_name(d0)
        brand = self.brand() if rng.random() < 0.5 else trade + rng.choice(BRAND_SUFFIX)
        hq_op = Operator()
        hq = self.entity(d0, trade, "mgmt", old=False)
        self.registration(hq_op, hq, scope_text=rng.choice(SCOPE_MED_MGMT + SCOPE_OFFICE[:1]))
        if rng.random() < 0.7:
            self.tax(hq_op, hq)
        ops_out.append(hq_op)
        for k in range(rng.randint(2, 8)):
            op = Operator()
            loc, d = self.spot(tower=0.5, mall=0.4)
            road = loc.place.road
            region = self.city.districts[d][0]
            uscc = self.ids.uscc("91", region, new_style=True)
            base = hq["name"].replace("医疗美容管理有限公司", "医疗美容门诊有限公司")
            for suffix in ([self.dname(d)[:-1]] if k == 0 or rng.random() < 0.5 else []) + [
                    road, "%s%d号" % (road, loc.place.number), "%s第%s" % (road, cn_num(k + 1))]:
                name = base + suffix + "分公司"
                if self.names.add(name):
                    break
            ent = {"d": d, "trade": trade, "name": name, "etype": "分公司", "rep": person_name(rng), "uscc": uscc,
                   "founded": self.founded(False), "old": False, "loc": loc, "reg_loc": loc}
            lic_name = "%s%s医疗美容门诊部（%s）" % (self.city.short if rng.random() < 0.5 else "", trade,
                                                    road + "院区" if rng.random() < 0.5 else self.dname(d) + "分部")
            if not self.names.add("L:" + lic_name):
                lic_name = name.replace("有限公司", "").replace("分公司", "门诊部")
            ent["lic_name"] = lic_name
            self.registration(op, ent, scope_text=rng.choice(SCOPE_MED))
            lic = {"name": lic_name, "category": "医疗美容门诊部", "cat4": "D154",
                   "subjects": ["医疗美容科", "美容皮肤科", "美容外科"][:rng.randint(2, 3)]}
            r = rng.random()
            lic_code = hq["uscc"] if r < 0.3 else None  # the head office's code on the branch license
            if rng.random() < 0.1:
                self.license(op, ent, lic, status="过期",
                             valid_until=self.as_of - dt.timedelta(days=rng.randrange(1, 400)), lic_code=lic_code)
            else:
                self.license(op, ent, lic, lic_code=lic_code)
            if rng.random() < 0.5:
                self.tax(op, ent)
            for p in rng.sample(PLATFORMS, rng.randint(0, 3)):
                self.shop(op, ent, rng.choice(AESTH_CATEGORIES), brand + "（%s店）" % road,
                          entity_name=rng.choices([name, hq["name"], ""], [0.45, 0.25, 0.30])[0],
                          code=rng.choices(["", uscc, hq["uscc"]], [0.55, 0.30, 0.15])[0], platform=p)
            ops_out.append(op)

    def op_family(self, ops_out):
        """A doctor's clinic and the family's salon a floor away: same 字号, same owner, two operators."""
        rng = self.rng
        clinic = Operator()
        ent = self.op_licensed_clinic(clinic)
        ops_out.append(clinic)
        salon = Operator()
        loc = neighbour_slot(rng, ent["loc"]) if ent["loc"].place.kind in ("tower", "mall") else self.location()
        sent = self.entity(ent["d"], ent["trade"], "salon", rep=ent["rep"] if rng.random() < 0.8 else None, loc=loc)
        if rng.random() < 0.3:
            sent["reg_loc"] = ent["reg_loc"]  # registered at the clinic's address
        self.registration(salon, sent, scope_text=rng.choice(SCOPE_SALON))
        sells_med = rng.random() < 0.45
        services = rng.sample(PLAIN_SERVICES, 3) + (rng.sample(AESTH_SERVICES, 2) if sells_med else [])
        if rng.random() < 0.7:
            self.salon(salon, sent, services, name=ent["trade"] + rng.choice(["美容", "皮肤管理", "美学生活馆"]))
        for p in rng.sample(PLATFORMS, rng.randint(0, 2)):
            self.shop(salon, sent, rng.choice(AESTH_CATEGORIES if sells_med else PLAIN_CATEGORIES),
                      ent["trade"] + rng.choice(["美容", "皮肤管理", "SPA"]), platform=p)
        if rng.random() < 0.5:
            self.tax(salon, sent)
        ops_out.append(salon)

    def op_registered_unlicensed(self, op):
        """有照无证: 医疗美容 in the registered scope, or a salon selling injections/light online or by filing."""
        rng = self.rng
        if rng.random() < 0.4:
            loc, d = self.spot()
            trade = self.trade_name(d)
            ent = self.entity(d, trade, "clinic" if rng.random() < 0.5 else "mgmt", loc=loc)
            if rng.random() < 0.15:
                ent["reg_loc"] = self.cluster_loc()
            self.registration(op, ent, scope_text=rng.choice(SCOPE_MED + SCOPE_MED_MGMT))
            for p in rng.sample(PLATFORMS, rng.randint(0, 2)):
                self.shop(op, ent, rng.choice(AESTH_CATEGORIES),
                          self.brand() if rng.random() < 0.5 else trade + rng.choice(BRAND_SUFFIX), platform=p)
        else:
            loc, d = self.spot(resid=0.08)
            trade = self.trade_name(d)
            ent = self.entity(d, trade, "salon", loc=loc)
            if rng.random() < 0.06:
                ent["reg_loc"] = self.cluster_loc()
            ent["shop"] = trade + rng.choice(["美容", "皮肤管理", "美学", "美容会所"]) if rng.random() < 0.6 else None
            self.registration(op, ent, scope_text=rng.choice(SCOPE_SALON))
            via_filing = rng.random() < 0.4
            if via_filing or rng.random() < 0.5:
                services = rng.sample(PLAIN_SERVICES, rng.randint(1, 3))
                if via_filing:
                    services += rng.sample(AESTH_SERVICES, rng.randint(1, 2))
                self.salon(op, ent, services)
            n = rng.randint(1, 3) if not via_filing else rng.randint(0, 2)
            for i, p in enumerate(rng.sample(PLATFORMS, n)):
                cat = rng.choice(AESTH_CATEGORIES) if (i == 0 and not via_filing) or rng.random() < 0.5 else rng.choice(PLAIN_CATEGORIES)
                self.shop(op, ent, cat, self.brand() if rng.random() < 0.35 else
                          (ent.get("shop") or trade + rng.choice(["美容", "轻医美", "皮肤管理"])), platform=p)
        if rng.random() < 0.55:
            self.tax(op, ent)

    def op_unregistered(self, op):
        """无照无证: a person selling aesthetic services on several platforms, with no registration."""
        rng = self.rng
        loc, d = self.spot(tower=0.35, mall=0.05, resid=0.45)
        person = person_name(rng)
        nick = person[1:] if len(person) == 3 else person
        latin = rng.choice(BRAND_LATIN) + rng.choice(["", "", "酱", "姐", "老师", "小姐姐"]) + (
            str(rng.randint(1, 99)) if rng.random() < 0.3 else "")
        ent = {"d": d, "loc": loc, "name": person, "uscc": "", "rep": person}
        shown_name = rng.random() < 0.7
        n = rng.choices([1, 2, 3, 4], [0.3, 0.35, 0.22, 0.13])[0]
        for i, p in enumerate(rng.sample(PLATFORMS, n)):
            style = rng.random()
            if style < 0.4:
                sname = nick + rng.choice(["美学工作室", "轻医美", "皮肤管理", "医美工作室", "美容"])
            elif style < 0.7:
                sname = latin + rng.choice(["美学", "轻医美工作室", " Beauty", "皮肤管理"])
            else:
                sname = rng.choice([latin, nick]) + rng.choice(["·", ""]) + "私人定制"
            cat = rng.choice(AESTH_CATEGORIES) if i == 0 or rng.random() < 0.7 else rng.choice(PLAIN_CATEGORIES)
            ename = person if shown_name and rng.random() < 0.85 else ""
            self.shop(op, ent, cat, sname, entity_name=ename, code="", platform=p,
                      loc=loc if rng.random() < 0.75 else "none")
        if rng.random() < 0.06:
            self.salon(op, ent, rng.sample(PLAIN_SERVICES, 2) + rng.sample(AESTH_SERVICES, 1),
                       name=nick + "美容工作室", code="")
        if rng.random() < 0.05:  # a natural-person taxpayer: keyed by the ID number
            self.tax(op, ent, name=person, taxid=self.ids.person_id(self.city.districts[d][0]))

    def op_public_hospital(self, op):
        """有证无照: a public hospital (事业单位, 12…) or a 民办非企业 clinic (52…) with an aesthetic department."""
        rng = self.rng
        d = self.city.district_index(rng)
        region = self.city.districts[d][0]
        public = rng.random() < 0.55
        if public:
            for attempt in range(8):
                name = rng.choice(["%s第%s人民医院" % (self.city.name, cn_num(rng.randint(1, 9))),
                                   "%s%s人民医院" % (self.city.name, self.dname(d)),
                                   "%s中医医院" % self.dname(d), "%s皮肤病医院" % self.city.name,
                                   "%s妇幼保健院" % self.dname(d)])
                if attempt >= 2:  # the obvious names are taken: a place name in front
                    name = name.replace(self.city.name, self.city.name + rng.choice(ROAD_A) + rng.choice(ROAD_A), 1) \
                        if name.startswith(self.city.name) else rng.choice(ROAD_A) + rng.choice(ROAD_A) + name
                if self.names.add("L:" + name):
                    break
            uscc = self.ids.uscc("12", region, new_style=False)
            cat = "专科医院" if "皮肤" in name else "综合医院"
            cat4, econ, manage = ("A522" if "皮肤" in name else "A100"), "11", "1"
            subjects = ["内科", "外科", "妇产科", "医疗美容科", "美容皮肤科"] if cat == "综合医院" else [
                "皮肤科", "医疗美容科", "美容皮肤科"]
        else:
            trade = self.trade_name(d)
            for attempt in range(8):
                name = "%s%s%s" % (self.city.short, trade, rng.choice(["中医门诊部", "医院", "综合门诊部"]))
                if self.names.add("L:" + name):
                    break
                trade = trade[:2] + rng.choice(TRADE_CHARS)
            uscc = self.ids.uscc("52", region, new_style=rng.random() < 0.6)
            cat = "综合门诊部" if "门诊" in name else "综合医院"
            cat4, econ, manage = ("D110" if "门诊" in name else "A100"), "19", "1"
            subjects = ["中医科", "美容中医科"] if "中医" in name else ["内科", "医疗美容科", "美容外科"]
        loc = self.location(tower=0.2, mall=0.0) if not public else Loc(self.city.street_front(rng, d), 1, 0)
        d = loc.place.district
        ent = {"d": d, "name": name, "uscc": uscc, "rep": person_name(rng), "loc": loc, "old": not public}
        lic = {"name": name, "category": cat, "subjects": subjects, "cat4": cat4, "econ": econ, "manage": manage}
        ent["lic_name"] = name
        r = rng.random()
        if r < 0.08:
            self.license(op, ent, lic, status="有效", valid_until=self.as_of - dt.timedelta(days=rng.randrange(5, 300)))
        else:
            self.license(op, ent, lic)
        if rng.random() < 0.5:
            self.tax(op, ent)
        for p in rng.sample(PLATFORMS, rng.choice([0, 0, 1, 2])):
            self.shop(op, ent, rng.choice(AESTH_CATEGORIES),
                      name + rng.choice(["整形美容科", "医学美容中心", "皮肤美容科"]),
                      entity_name=rng.choice([name, ""]), code=rng.choice(["", "", uscc]), platform=p)

    def op_dead_registration(self, op):
        """A license holder whose registration is 注销/吊销: 有证无照 (valid license) or 无照无证 (license gone too)."""
        rng = self.rng
        loc, d = self.spot()
        trade = self.trade_name(d)
        ent = self.entity(d, trade, "clinic", loc=loc)
        self.registration(op, ent, status=rng.choice(["注销", "吊销"]), scope_text=rng.choice(SCOPE_MED))
        lic = {"name": self.unique_lic_name(ent["name"].replace("有限公司", ""), self.dname(d) + ent["name"].replace("有限公司", "")),
               "category": "医疗美容诊所", "subjects": ["医疗美容科", "美容皮肤科"]}
        ent["lic_name"] = lic["name"]
        if rng.random() < 0.7:
            self.license(op, ent, lic)
        else:
            self.license(op, ent, lic, status="吊销")
        self.clinic_shops(op, ent, trade)

    def op_out_of_scope(self, op):
        rng = self.rng
        r = rng.random()
        loc, d = self.spot(resid=0.05) if r < 0.38 else (self.spot(tower=0.2, resid=0.6) if r >= 0.95 else self.spot())
        trade = self.trade_name(d)
        if r < 0.38:  # an ordinary salon: facials, nails
            ent = self.entity(d, trade, "salon", loc=loc)
            if rng.random() < 0.1:
                ent["reg_loc"] = self.cluster_loc()
            self.registration(op, ent, scope_text=rng.choice(SCOPE_SALON))
            if rng.random() < 0.6:
                self.salon(op, ent, rng.sample(PLAIN_SERVICES, rng.randint(1, 4)),
                           name=trade + rng.choice(["美容", "美甲", "美发沙龙", "养生馆"]) if rng.random() < 0.6 else None)
            for p in rng.sample(PLATFORMS, rng.choice([0, 1, 1, 2])):
                self.shop(op, ent, rng.choice(PLAIN_CATEGORIES), trade + rng.choice(["美甲", "美睫", "SPA", "美容"]), platform=p)
            if rng.random() < 0.4:
                self.tax(op, ent)
        elif r < 0.55:  # a dental or internal-medicine clinic (licensed, but not aesthetic)
            ent = self.entity(d, trade, "dental", loc=loc)
            self.registration(op, ent, scope_text=rng.choice(SCOPE_DENTAL))
            dental = rng.random() < 0.7
            lic = {"name": self.unique_lic_name(ent["name"].replace("有限公司", "") if dental else ent["name"].replace("口腔诊所有限公司", "内科诊所"),
                                                self.dname(d) + ent["name"].replace("有限公司", "")),
                   "category": "口腔诊所" if dental else "普通诊所",
                   "subjects": ["口腔科"] if dental else ["内科", "预防保健科"],
                   "cat4": "D215" if dental else "D211"}
            ent["lic_name"] = lic["name"]
            self.license(op, ent, lic)
            if rng.random() < 0.6:
                self.tax(op, ent)
            for p in rng.sample(PLATFORMS[:2], rng.choice([0, 1])):
                self.shop(op, ent, rng.choice(DENTAL_CATEGORIES), lic["name"], platform=p)
        elif r < 0.95:  # restaurants, shops, offices in the same towers
            ent = self.entity(d, trade, "food" if rng.random() < 0.4 else "office", loc=loc)
            if rng.random() < 0.2:
                ent["reg_loc"] = self.cluster_loc()
            food = "餐饮" in ent["name"] or ent["name"][-2:] in ("咖啡馆", "面馆", "烘焙坊", "火锅店")
            self.registration(op, ent, scope_text=rng.choice(SCOPE_FOOD if food else SCOPE_OFFICE))
            if rng.random() < 0.7:
                self.tax(op, ent)
            if food:
                for p in rng.sample(PLATFORMS[:2], rng.choice([0, 1, 1, 2])):
                    self.shop(op, ent, rng.choice(FOOD_CATEGORIES), trade + rng.choice(["小馆", "咖啡", "烘焙"]), platform=p)
        else:  # a nail artist selling on platforms only (no registration, not aesthetic)
            person = person_name(rng)
            ent = {"d": d, "loc": loc, "name": person, "uscc": "", "rep": person}
            for p in rng.sample(PLATFORMS, rng.randint(1, 2)):
                self.shop(op, ent, "丽人/美甲美睫", person[1:] + rng.choice(["美甲", "美睫工作室"]),
                          entity_name=person if rng.random() < 0.6 else "", code="", platform=p)

    # ---- main loop -----------------------------------------------------------------------

    def step(self):
        """One draw: one operator, or a group (chain, family pair). Returns the operators."""
        rng = self.rng
        r = rng.random()
        ops = []
        if r < 0.012:
            self.op_chain(ops)
            return ops
        if r < 0.045:
            self.op_family(ops)
            return ops
        op = Operator()
        ops.append(op)
        r = rng.random()
        if r < 0.17:
            self.op_licensed_clinic(op)
        elif r < 0.205:
            self.op_licensed_clinic(op, broken_license=True)
        elif r < 0.37:
            self.op_registered_unlicensed(op)
        elif r < 0.48:
            self.op_unregistered(op)
        elif r < 0.495:
            self.op_public_hospital(op)
        elif r < 0.505:
            self.op_dead_registration(op)
        else:
            self.op_out_of_scope(op)
        return ops

    def emit(self, ops):
        out = self.out
        for op in ops:
            if not op.rows:
                continue
            self.op_seq += 1
            opid = "T%08d" % self.op_seq
            if not op.scope:
                cls = ""
            elif op.zheng and op.zhao:
                cls = "有证有照"
            elif op.zhao:
                cls = "有照无证"
            elif op.zheng:
                cls = "有证无照"
            else:
                cls = "无照无证"
            out.by_class[cls] = out.by_class.get(cls, 0) + len(op.rows)
            for src, row in op.rows:
                out.writers[src].writerow(row)
                out.truth.writerow((src, row[KEY_COL[src]], opid, cls))
                out.by_source[src] += 1
            out.count += len(op.rows)

    def run(self):
        while self.out.count < self.target:
            self.emit(self.step())
        self.out.close()
        return self.out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, required=True, help="about this many records (at least)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="directory for the CSV files")
    ap.add_argument("--city", default="370100", help="prefecture code (370100, 370400, 330600, 440300, 510100)")
    ap.add_argument("--as-of", default="2026-10-31", help="the day license validity is judged on")
    args = ap.parse_args()
    g = Gen(args)
    out = g.run()
    print("records %d, operators %d" % (out.count, g.op_seq), file=sys.stderr)
    print("by source: " + ", ".join("%s %d" % kv for kv in out.by_source.items()), file=sys.stderr)
    print("records by class: " + ", ".join("%s %d" % (k or "(out of scope)", v) for k, v in sorted(out.by_class.items())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
