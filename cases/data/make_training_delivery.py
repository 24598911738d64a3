# make_training_delivery.py: writes training-delivery.csv (illustrative teaching data; see docstring).
"""Generate ``training-delivery.csv``: an illustrative list of training projects, 2021–2025.

Only the totals are published facts (the university's five-year figures, see
/work/shared/DOMAIN.md): 937 training projects, 98 of them at provincial/
ministerial level or above (国家级 or 省部级), 230,919 learner-times (人次), and
work in 20+ provinces including 西藏 and 青海. Everything else -- the split by
year, month, province, programme type, level, partner and the size and length
of each project -- is invented for teaching (本数据为教学虚构, 仅合计数为公开数据).

The script uses the standard library only and a fixed seed, so running it twice
gives byte-identical output. It writes UTF-8 with "\\n" line endings, one row
per project, sorted by project_id, and checks the published totals before
writing. Run it from anywhere::

    python cases/data/make_training_delivery.py

Columns: project_id, year, month, province, programme_type, level,
partner_type, learners (人次), days (teaching days).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

SEED = 20251
OUT = Path(__file__).with_name("training-delivery.csv")

# Published totals (the only facts in this file).
TOTAL_PROJECTS = 937
TOTAL_SENIOR = 98  # 省部级及以上 = 国家级 + 省部级
TOTAL_LEARNERS = 230_919
MIN_PROVINCES = 22  # published: "20+ provinces"; this teaching set uses at least 22
MUST_REACH = ("西藏", "青海")

COLUMNS = ["project_id", "year", "month", "province", "programme_type", "level",
           "partner_type", "learners", "days"]

# Invented: projects per year (sums to 937).
PROJECTS_PER_YEAR = {2021: 158, 2022: 141, 2023: 196, 2024: 214, 2025: 228}

TYPES = ["职业启蒙", "退役军人培训", "社区老年教育", "院校领导培育", "产业技能提升",
         "企业定制培训", "中小学领导力研修", "基层干部能力提升", "其他"]

# Invented: share of programme types in 2021 and in 2025 (interpolated in between).
TYPE_WEIGHTS_2021 = [12, 9, 17, 7, 18, 16, 8, 8, 5]
TYPE_WEIGHTS_2025 = [19, 8, 17, 7, 15, 15, 7, 9, 3]

# Invented: month weights (Jan..Dec) per programme type. School programmes follow
# the school terms, leader seminars cluster in the summer holidays, veterans'
# courses follow the autumn discharge, and little runs around the Spring Festival.
MONTHS = {
    "职业启蒙":         [2, 0, 8, 10, 10, 7, 1, 1, 7, 10, 11, 6],
    "退役军人培训":     [3, 1, 4, 5, 5, 4, 3, 3, 8, 10, 11, 8],
    "社区老年教育":     [3, 1, 8, 10, 10, 7, 3, 2, 9, 10, 9, 6],
    "院校领导培育":     [2, 1, 6, 8, 7, 5, 9, 7, 6, 8, 8, 5],
    "产业技能提升":     [4, 2, 7, 8, 8, 8, 6, 5, 8, 9, 10, 9],
    "企业定制培训":     [4, 2, 8, 8, 8, 7, 6, 5, 8, 9, 10, 8],
    "中小学领导力研修": [3, 1, 4, 5, 4, 3, 14, 12, 3, 5, 5, 3],
    "基层干部能力提升": [1, 1, 4, 6, 8, 9, 7, 8, 9, 9, 6, 2],
    "其他":             [4, 2, 8, 8, 8, 7, 5, 4, 8, 9, 9, 7],
}

# Invented: where each programme type runs (province: weight).
PROVINCES = {
    "职业启蒙": {"北京": 88, "河北": 7, "天津": 5},
    "退役军人培训": {"北京": 62, "河北": 12, "天津": 6, "山东": 5, "河南": 5, "山西": 4,
                     "内蒙古": 3, "辽宁": 3},
    "社区老年教育": {"北京": 92, "河北": 5, "天津": 3},
    "院校领导培育": {"广西": 40, "贵州": 7, "云南": 7, "甘肃": 6, "宁夏": 5, "青海": 5,
                     "西藏": 4, "新疆": 6, "内蒙古": 5, "山西": 4, "河南": 4, "江西": 4,
                     "四川": 3},
    "产业技能提升": {"北京": 72, "河北": 10, "天津": 5, "山东": 3, "江苏": 3, "湖北": 2,
                     "安徽": 2, "陕西": 2, "重庆": 1},
    "企业定制培训": {"北京": 55, "河北": 8, "天津": 6, "山东": 5, "江苏": 5, "浙江": 4,
                     "上海": 3, "广东": 4, "湖北": 3, "安徽": 2, "辽宁": 2, "四川": 2,
                     "陕西": 1},
    "中小学领导力研修": {"北京": 58, "河北": 8, "内蒙古": 6, "新疆": 7, "西藏": 5, "青海": 5,
                         "宁夏": 4, "甘肃": 4, "贵州": 3},
    "基层干部能力提升": {"新疆": 36, "西藏": 12, "青海": 12, "内蒙古": 7, "甘肃": 6, "宁夏": 5,
                         "云南": 5, "贵州": 5, "河北": 5, "四川": 4, "广西": 3},
    "其他": {"北京": 62, "河北": 8, "天津": 5, "山东": 4, "河南": 4, "湖南": 4, "广西": 3,
             "新疆": 3, "吉林": 3, "黑龙江": 2, "福建": 2},
}

# Invented: who commissions or co-runs each programme type.
PARTNERS = {
    "职业启蒙": {"中小学": 80, "政府部门": 20},
    "退役军人培训": {"部队/退役军人事务部门": 85, "企业": 15},
    "社区老年教育": {"社区": 85, "政府部门": 15},
    "院校领导培育": {"政府部门": 55, "院校": 45},
    "产业技能提升": {"政府部门": 45, "企业": 40, "院校": 15},
    "企业定制培训": {"企业": 95, "院校": 5},
    "中小学领导力研修": {"政府部门": 75, "中小学": 25},
    "基层干部能力提升": {"政府部门": 100},
    "其他": {"政府部门": 30, "企业": 25, "院校": 20, "社区": 15, "中小学": 10},
}

# Invented: typical size (median 人次, log-spread) and length (min, mode, max days).
LEARNERS = {
    "职业启蒙": (420, 0.55),
    "退役军人培训": (140, 0.45),
    "社区老年教育": (390, 0.55),
    "院校领导培育": (40, 0.30),
    "产业技能提升": (190, 0.55),
    "企业定制培训": (75, 0.50),
    "中小学领导力研修": (55, 0.35),
    "基层干部能力提升": (70, 0.35),
    "其他": (130, 0.60),
}
MIN_LEARNERS = {"院校领导培育": 15, "中小学领导力研修": 20, "基层干部能力提升": 25}
DAYS = {
    "职业启蒙": (1, 1, 4),
    "退役军人培训": (2, 5, 10),
    "社区老年教育": (4, 8, 16),
    "院校领导培育": (5, 10, 20),
    "产业技能提升": (2, 5, 20),
    "企业定制培训": (2, 4, 10),
    "中小学领导力研修": (3, 5, 8),
    "基层干部能力提升": (5, 8, 14),
    "其他": (1, 2, 5),
}

# Invented: how likely a project is to be 省部级及以上, and 国家级 among those.
SENIOR_WEIGHT = {"院校领导培育": 8.0, "基层干部能力提升": 6.0, "中小学领导力研修": 2.0,
                 "产业技能提升": 1.5, "退役军人培训": 1.5, "企业定制培训": 0.3,
                 "职业启蒙": 0.4, "社区老年教育": 0.4, "其他": 0.5}
NATIONAL_WEIGHT = {"院校领导培育": 3.0, "基层干部能力提升": 2.0, "产业技能提升": 1.5}
NATIONAL_SHARE = 0.2
# Below provincial level: chance of 地市级 (otherwise 校级), by partner.
CITY_LEVEL = {"政府部门": 0.8, "部队/退役军人事务部门": 0.65, "社区": 0.35, "院校": 0.3,
              "中小学": 0.3, "企业": 0.15}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def type_weights(year: int) -> list[float]:
    t = (year - 2021) / 4
    return [a + (b - a) * t for a, b in zip(TYPE_WEIGHTS_2021, TYPE_WEIGHTS_2025, strict=True)]


def weighted_top(rng: random.Random, rows: list[dict], weight, count: int) -> set[int]:
    """Indices of ``count`` rows drawn without replacement, chance proportional to weight(row)."""
    keys = [(rng.random() ** (1 / weight(row)), index) for index, row in enumerate(rows)]
    return {index for _, index in sorted(keys, reverse=True)[:count]}


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for year, count in PROJECTS_PER_YEAR.items():
        projects = []
        for _ in range(count):
            kind = rng.choices(TYPES, weights=type_weights(year))[0]
            month = rng.choices(range(1, 13), weights=MONTHS[kind])[0]
            median, spread = LEARNERS[kind]
            low, mode, high = DAYS[kind]
            projects.append({
                "year": year, "month": month, "province": pick(rng, PROVINCES[kind]),
                "programme_type": kind, "level": "", "partner_type": pick(rng, PARTNERS[kind]),
                "raw": median * math.exp(rng.gauss(0, spread)),
                "days": round(rng.triangular(low, high, mode)),
            })
        projects.sort(key=lambda row: row["month"])  # numbered in order of start month
        for number, row in enumerate(projects, start=1):
            row["project_id"] = f"P{year}-{number:03d}"
        rows.extend(projects)

    # Levels: exactly TOTAL_SENIOR rows at 省部级及以上.
    def senior_weight(row: dict) -> float:
        remote = 1.5 if row["province"] in ("西藏", "青海", "新疆") else 1.0
        return SENIOR_WEIGHT[row["programme_type"]] * remote

    senior = weighted_top(rng, rows, senior_weight, TOTAL_SENIOR)
    senior_rows = [rows[index] for index in sorted(senior)]
    national = weighted_top(rng, senior_rows, lambda row: NATIONAL_WEIGHT.get(row["programme_type"], 1.0),
                            round(TOTAL_SENIOR * NATIONAL_SHARE))
    for index, row in enumerate(senior_rows):
        row["level"] = "国家级" if index in national else "省部级"
    for index, row in enumerate(rows):
        if index not in senior:
            row["level"] = "地市级" if rng.random() < CITY_LEVEL[row["partner_type"]] else "校级"

    # Learners: scale the raw sizes to the published total, round, then put the
    # rounding remainder on the last rows (one 人次 each) so the sum is exact.
    scale = TOTAL_LEARNERS / sum(row["raw"] for row in rows)
    for row in rows:
        row["learners"] = max(MIN_LEARNERS.get(row["programme_type"], 10), round(row.pop("raw") * scale))
    remainder = TOTAL_LEARNERS - sum(row["learners"] for row in rows)
    step = 1 if remainder > 0 else -1
    index = len(rows) - 1
    while remainder:
        row = rows[index]
        if row["learners"] + step >= MIN_LEARNERS.get(row["programme_type"], 10):
            row["learners"] += step
            remainder -= step
        index = index - 1 if index > 0 else len(rows) - 1
    return sorted(rows, key=lambda row: row["project_id"])


def check(rows: list[dict]) -> None:
    provinces = {row["province"] for row in rows}
    assert len(rows) == TOTAL_PROJECTS, len(rows)
    assert len({row["project_id"] for row in rows}) == TOTAL_PROJECTS
    assert sum(row["level"] in ("国家级", "省部级") for row in rows) == TOTAL_SENIOR
    assert sum(row["learners"] for row in rows) == TOTAL_LEARNERS
    assert all(row["learners"] > 0 and row["days"] > 0 for row in rows)
    assert len(provinces) >= MIN_PROVINCES, sorted(provinces)
    assert all(sum(row["province"] == name for row in rows) >= 3 for name in MUST_REACH)


def main() -> None:
    rows = build()
    check(rows)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT.name}: {len(rows)} projects, "
          f"{sum(row['level'] in ('国家级', '省部级') for row in rows)} at 省部级及以上, "
          f"{sum(row['learners'] for row in rows)} 人次, "
          f"{len({row['province'] for row in rows})} provinces")


if __name__ == "__main__":
    main()
