"""学分 from 学时, per programme."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kebao.catalog import load_catalog
from kebao.credits import credit_record, credits_for

from .paths import FIXTURES


def test_credits_follow_the_programme_rate() -> None:
    assert credits_for(4, 16) == Decimal("0.25")
    assert credits_for(16, 16) == Decimal("1.00")
    assert credits_for(4, 18) == Decimal("0.22")
    assert credits_for(1, 8) == Decimal("0.13")  # 0.125 rounds half-up


def test_credit_record_lists_modules_with_outcomes_and_assessment() -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    programme = catalog.programmes["cadres-course"]
    lines = credit_record(catalog, programme, [("party-theory", 4), ("industry-visit", 8)])
    assert [(line.module, line.hours, line.credits) for line in lines] == [
        ("party-theory", 4, Decimal("0.25")), ("industry-visit", 8, Decimal("0.50"))]
    assert lines[0].outcomes == ("能够说明党的理论的要点",)
    assert lines[0].title_zh == "党的理论"


def test_a_learners_credits_add_up_to_the_programmes() -> None:
    """xpcc-cadres: 65 学时 are 4.06 学分 (16 学时 each), and so are its modules' lines together (not 4.10)."""
    from kebao.catalog import load_catalog as load
    from kebao.compose import compose

    from .paths import REPO

    catalog = load(REPO)
    for programme in catalog.programmes.values():
        plan = compose(catalog, programme)
        lines = credit_record(catalog, programme, [(i.module, i.hours) for i in plan.taught])
        mine = [line for line in lines if not line.beside]
        hours = sum(line.hours for line in mine)
        assert sum(line.credits for line in mine) == credits_for(hours, programme.hours_per_credit), programme.id
        assert all(abs(line.credits - Decimal(str(line.hours)) / Decimal(str(programme.hours_per_credit)))
                   < Decimal("0.01") for line in lines), "each line is within a hundredth of its own share"
        for split in programme.splits:  # whichever group a learner is in, the same 学分
            totals = {sum(line.credits for line in lines if line.module in group.modules) for group in split.groups}
            assert len(totals) == 1, programme.id


def test_share_out_gives_hundredths_that_add_up() -> None:
    from kebao.credits import share_out

    assert share_out([3, 3, 3], Decimal("0.56")) == [Decimal("0.19"), Decimal("0.19"), Decimal("0.18")]
    assert share_out([1, 2], Decimal("0.19")) == [Decimal("0.06"), Decimal("0.13")]
    assert share_out([0, 0], Decimal("1.00")) == [Decimal("0.00"), Decimal("0.00")]


def test_the_credit_file_ends_with_one_learners_total(tmp_path: Path) -> None:
    import csv

    from kebao.catalog import load_catalog as load
    from kebao.compose import compose
    from kebao.packs.rows import credit_rows
    from kebao.packs.writers import write_credits_csv

    from .paths import REPO

    catalog = load(REPO)
    programme = catalog.programmes["college-managers-study-tour"]
    plan = compose(catalog, programme)
    rows = credit_rows(catalog, programme, [(i.module, i.hours) for i in plan.taught], "zh")
    with write_credits_csv(rows, tmp_path / "c.csv", "zh").open(encoding="utf-8-sig") as file:
        lines = list(csv.reader(file))
    assert lines[-1][1:5] == ["合计（每位学员）", "", "15", "0.94"]
    assert len(lines) == 1 + 6 + 1, "header, six modules (three groups' too), the total"
