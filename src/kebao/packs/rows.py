"""Presentation rows for pack files: a plan and timetable in a cohort's language.

Pure functions from engine values (catalog, programme, plan, timetable) to
flat, translated rows that every writer and notebook table shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..catalog import Catalog
from ..credits import credit_record
from ..labels import FORMATS, SLOTS, WEEKDAYS, Language, pick, provisional_note
from ..model import Programme


@dataclass(frozen=True)
class TimetableRow:
    date: dt.date
    weekday: str
    slot: str
    start: str
    end: str
    module: str
    title: str
    strand: str
    strand_label: str
    hours: float
    format_label: str
    location: str
    description: str
    provisional: bool = False  # its date has no official holiday arrangement yet (暂定)


@dataclass(frozen=True)
class CreditRow:
    module: str
    title: str
    strand_label: str
    hours: float
    credits: Decimal
    outcomes: tuple[str, ...]
    assessment: str


@dataclass(frozen=True)
class OutcomeRow:
    id: str
    text: str
    modules: tuple[str, ...]


def slot_label(slot: str, language: Language) -> str:
    """上午/下午/晚上 (or Morning/…) for a slot given by its English key or Chinese name."""
    for key, pair in SLOTS.items():
        if slot in (key, pair[0], pair[1]):
            return pick(pair, language)
    return slot


def timetable_rows(catalog: Catalog, programme: Programme, venue: str, sessions: Any,
                   language: Language, provisional: Collection[dt.date] = ()) -> list[TimetableRow]:
    """One row per scheduled session; a site visit's location replaces the venue.

    Sessions on ``provisional`` dates (no official holiday arrangement yet) are marked, their description
    opening with the 暂定 note.
    """
    rows = []
    note = provisional_note({date.year for date in provisional}, language)
    for session in sessions:
        module = catalog.modules[session.module]
        strand = catalog.strands[module.strand]
        title = module.title.in_language(language)
        parts = getattr(session, "parts", 1)
        if parts > 1:
            title += f"（{session.part}/{parts}）" if language == "zh" else f" ({session.part}/{parts})"
        location = module.site.location.in_language(language) if module.site else venue
        outcomes = "；".join(module.outcomes)
        description = f"{strand.name.in_language(language)} · {session.hours:g} 学时 · {outcomes}"
        tentative = session.date in provisional
        if tentative:
            description = f"{note}\n{description}"
        rows.append(TimetableRow(
            date=session.date, weekday=pick(WEEKDAYS[session.date.weekday()], language),
            slot=slot_label(session.slot, language), start=session.start, end=session.end, module=module.id,
            title=title, strand=strand.id, strand_label=strand.name.in_language(language), hours=session.hours,
            format_label=pick(FORMATS[module.format], language), location=location, description=description,
            provisional=tentative))
    return rows


def credit_rows(catalog: Catalog, programme: Programme, planned: list[tuple[str, float]],
                language: Language) -> list[CreditRow]:
    return [CreditRow(line.module, line.title_zh if language == "zh" else line.title_en,
                      catalog.strands[line.strand].name.in_language(language), line.hours, line.credits,
                      line.outcomes, line.assessment)
            for line in credit_record(catalog, programme, planned)]


def outcome_rows(programme: Programme) -> list[OutcomeRow]:
    return [OutcomeRow(o.id, o.text, tuple(o.modules)) for o in programme.outcomes]
