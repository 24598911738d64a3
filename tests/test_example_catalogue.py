"""The example catalogue: the training office's programmes as usable curricula (issue 3)."""

from __future__ import annotations

import csv
import itertools
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from kebao.catalog import Catalog, load_catalog
from kebao.compose import compose
from kebao.schedule import schedule

from .paths import REPO


@cache
def catalog() -> Catalog:
    return load_catalog(REPO)


def test_counts() -> None:
    c = catalog()
    assert len(c.strands) >= 9
    assert len(c.audiences) >= 7
    assert len(c.modules) >= 70
    assert len(c.programmes) >= 9
    assert len(c.cases) >= 12


def test_formats_cover_the_ways_the_office_teaches() -> None:
    formats = {m.format for m in catalog().modules.values()}
    assert {"lecture", "workshop", "case-study", "site-visit", "live-stream", "mentoring", "practicum"} <= formats


def test_outcomes_use_observable_verbs() -> None:
    for module in catalog().modules.values():
        for outcome in module.outcomes:
            assert outcome.startswith("能够"), f"{module.id}: {outcome}"


def test_at_least_six_cases_analyse_data_with_a_chart() -> None:
    analysing = [case for case in catalog().cases.values()
                 if case.data and "read_csv" in case.body and re.search(r"\.(bar|barh|plot|scatter|pie)\(", case.body)]
    assert len(analysing) >= 6


def test_cases_with_invented_figures_say_so() -> None:
    for case in catalog().cases.values():
        if case.illustrative:
            assert "虚构" in case.body, f"{case.id} is illustrative but does not say so"


def luminance_lstar(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_strand_colours_stay_apart_in_greyscale() -> None:
    lightness = {s.id: luminance_lstar(s.colour) for s in catalog().strands.values()}
    for (a, la), (b, lb) in itertools.combinations(lightness.items(), 2):
        assert abs(la - lb) >= 5, f"{a} and {b} look alike in greyscale (L* {la:.0f} vs {lb:.0f})"


@pytest.mark.parametrize("programme", sorted(load_catalog(REPO).programmes))
def test_every_programme_plans_its_default_cohort_close_to_its_mix(programme: str) -> None:
    c = catalog()
    plan = compose(c, c.programmes[programme])
    timetable = schedule(c, plan)
    assert timetable.sessions
    largest = max(c.modules[m].hours for m in plan.modules)
    for strand in plan.strands:
        if strand.target_hours:
            assert abs(strand.hours - strand.target_hours) <= largest, (programme, strand)


def candidates(c: Catalog) -> set[str]:
    """Modules some programme could use: named by it, selected by one of its pools, or a prerequisite of those."""
    used: set[str] = set()
    for p in c.programmes.values():
        used |= {*p.required, *(v.module for v in p.site_visits), *(m for pool in p.pools for m in pool.modules),
                 *(m for phase in p.phases for m in phase.modules), *p.grouped}
        for pool in p.pools:
            for module in c.modules.values():
                if (module.strand in pool.strands and (not pool.formats or module.format in pool.formats)
                        and (not module.audiences or p.audience in module.audiences)):
                    used.add(module.id)
    stack = list(used)
    while stack:
        for prerequisite in c.modules[stack.pop()].prerequisites:
            if prerequisite not in used:
                used.add(prerequisite)
                stack.append(prerequisite)
    return used


def test_every_module_is_used_by_a_programme_or_is_elective() -> None:
    c = catalog()
    used = candidates(c)
    unused = sorted(m.id for m in c.modules.values() if m.id not in used and not m.elective)
    assert unused == []


def test_every_case_is_used_by_a_module() -> None:
    c = catalog()
    linked = {case for module in c.modules.values() for case in module.cases}
    assert sorted(set(c.cases) - linked) == []


DATASET = REPO / "cases" / "data" / "training-delivery.csv"


def test_training_delivery_totals_match_the_published_figures() -> None:
    with DATASET.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 937
    assert sum(row["level"] in ("国家级", "省部级") for row in rows) == 98
    assert sum(int(row["learners"]) for row in rows) == 230_919
    provinces = {row["province"] for row in rows}
    assert len(provinces) >= 20 and {"西藏", "青海"} <= provinces
    assert {int(row["year"]) for row in rows} == {2021, 2022, 2023, 2024, 2025}


def test_training_delivery_dataset_is_reproducible(tmp_path: Path) -> None:
    script = REPO / "cases" / "data" / "make_training_delivery.py"
    copy = tmp_path / script.name
    copy.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, str(copy)], check=True, capture_output=True, timeout=60)
    assert (tmp_path / DATASET.name).read_bytes() == DATASET.read_bytes()
