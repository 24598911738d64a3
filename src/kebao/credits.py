"""Credit record (学分): how many 学分 each planned module earns, for credit-bank import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


def credits_for(hours: float, hours_per_credit: float) -> Decimal:
    """学分 for ``hours`` 学时, rounded half-up to two decimals (16 学时 per 学分: 4 学时 -> 0.25)."""
    value = Decimal(str(hours)) / Decimal(str(hours_per_credit))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def credit_record(catalog: Catalog, programme: Programme, modules: Iterable[tuple[str, float]]) -> list[CreditLine]:
    """Lines for the planned ``modules`` given as (module id, planned 学时), in plan order."""
    lines = []
    for module_id, hours in modules:
        module = catalog.modules[module_id]
        lines.append(CreditLine(module.id, module.title.zh, module.title.en, module.strand, hours,
                                credits_for(hours, programme.hours_per_credit), tuple(module.outcomes),
                                module.assessment))
    return lines
