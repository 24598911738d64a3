"""Credit record (学分): how many 学分 each planned module earns, for credit-bank import.

A learner's modules add up to the programme's 学分 exactly: the total is rounded once (half-up, two
decimals) and shared out over the modules in proportion to their 学时 by the largest-remainder method, so
no rounding of a single module makes the record disagree with the handbook. Where the cohort works in
groups (a programme's ``splits``), every group's modules share out what the first group's earn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .catalog import Catalog
from .model import Programme


@dataclass(frozen=True)
class CreditLine:
    """One module's line in the credit record."""

    module: str
    title_zh: str
    title_en: str
    strand: str
    hours: float
    credits: Decimal
    outcomes: tuple[str, ...]
    assessment: str
    beside: bool = False  # a module of a split's other group: its learners take it instead of the first group's


def credits_for(hours: float, hours_per_credit: float) -> Decimal:
    """学分 for ``hours`` 学时, rounded half-up to two decimals (16 学时 per 学分: 4 学时 -> 0.25)."""
    value = Decimal(str(hours)) / Decimal(str(hours_per_credit))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


CENT = Decimal("0.01")


def share_out(hours: list[float], total: Decimal) -> list[Decimal]:
    """``total`` 学分 over items of ``hours`` 学时, in proportion, in hundredths that add up to ``total``."""
    whole = sum(Decimal(str(h)) for h in hours)
    if not whole:
        return [Decimal("0.00") for _ in hours]
    exact = [Decimal(str(h)) * total / whole for h in hours]
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    left = int((total - sum(shares, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(hours)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[:left]:
        shares[index] += CENT
    return shares


def credit_record(catalog: Catalog, programme: Programme, modules: Iterable[tuple[str, float]]) -> list[CreditLine]:
    """Lines for the planned ``modules`` given as (module id, planned 学时), in plan order; one learner's lines
    add up to :func:`credits_for` their 学时 (see the module docstring)."""
    planned = list(modules)
    grouped = programme.grouped
    beside = {m for split in programme.splits for group in split.groups[1:] for m in group.modules}
    path = [(m, h) for m, h in planned if m not in beside]  # one learner's: the first group where the cohort splits
    total = credits_for(sum(h for _, h in path), programme.hours_per_credit)
    credits = dict(zip([m for m, _ in path], share_out([h for _, h in path], total), strict=True))
    for split in programme.splits:
        first = sum((credits[m] for m in split.groups[0].modules if m in credits), Decimal(0))
        for group in split.groups[1:]:
            mine = [(m, h) for m, h in planned if m in group.modules]
            credits.update(zip([m for m, _ in mine], share_out([h for _, h in mine], first), strict=True))
    lines = []
    for module_id, hours in planned:
        module = catalog.modules[module_id]
        lines.append(CreditLine(module.id, module.title.zh, module.title.en, module.strand, hours,
                                credits[module_id], tuple(module.outcomes), module.assessment,
                                module_id in grouped and module_id in beside))
    return lines
