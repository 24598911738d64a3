"""学分 from 学时, per programme."""

from __future__ import annotations

from decimal import Decimal

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
