"""Presentation rows for pack files: a plan and timetable in a cohort's language.

Pure functions from engine values (catalog, programme, plan, timetable) to
flat, translated rows that every writer and notebook table shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..catalog import Catalog
from ..credits import credit_record
from ..labels import EVENTS, FORMATS, SLOTS, WEEKDAYS, Language, label, pick, provisional_note
from ..model import Programme
from ..timetable import EventItem, Item, PhaseSpan, SelfPaced


@dataclass(frozen=True)
class TimetableRow:
    """One item of the timetable: a module's session, or an event (then ``module`` and ``strand`` are empty)."""

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
    event: str = ""  # the event's kind (check-in, opening…) for an event's row
    provisional: bool = False  # its date has no official holiday arrangement yet (暂定)
    phase: str = ""  # the title of its programme phase (schema 2 phases), or ""
    group: str = ""  # the title of the group it is taught to where the cohort splits, or "" (everyone)
    beside: bool = False  # a session of a split's other group: side by side with the first group's, not counted
    group_id: str = ""  # the id of that group (session keys of the records: packs/sheetmeta.py), or ""

    @property
    def signed(self) -> bool:
        """Whether learners sign in for it: every session, and the check-in, opening, closing and ceremonies."""
        return not self.event or self.event in ("check-in", "opening", "closing", "ceremony")


@dataclass(frozen=True)
class CreditRow:
    module: str
    title: str
    strand_label: str
    hours: float
    credits: Decimal
    outcomes: tuple[str, ...]
    assessment: str
    beside: bool = False  # another group's module (where the cohort splits): not in the first group's total


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


def place(programme: Programme, venue: str, venue_id: str | None, language: Language) -> str:
    """Where an item is: the programme venue ``venue_id`` names (name, address), else the cohort's ``venue``."""
    found = next((v for v in programme.venues if v.id == venue_id), None) if venue_id else None
    if found is None:
        return venue
    return found.name.in_language(language) + (f"（{found.address}）" if found.address and language == "zh"
                                               else f" ({found.address})" if found.address else "")


def _phase_of(spans: Sequence[PhaseSpan], day: dt.date) -> PhaseSpan | None:
    return next((span for span in spans if span.first <= day <= span.last), None)


def occurrence_suffix(occurrence: int, times: int, language: Language) -> str:
    """'（第2次）' after the title of a repeated module's second time (the programme's ``repeat``); '' once."""
    if times == 1:
        return ""
    return f"（第{occurrence}次）" if language == "zh" else f" (time {occurrence} of {times})"


def phase_title(programme: Programme, phase: str | None, language: Language) -> str:
    found = next((p for p in programme.phases if p.id == phase), None) if phase else None
    return found.title.in_language(language) if found else ""


def timetable_rows(catalog: Catalog, programme: Programme, venue: str, items: Iterable[Item],
                   language: Language, provisional: Collection[dt.date] = (),
                   phases: Sequence[PhaseSpan] = ()) -> list[TimetableRow]:
    """One row per timetable item (sessions and events); a site visit's location replaces the venue.

    A session in a phase is at its phase's venue (``phases``: the timetable's spans; an event on a phase's
    day too); a live-online session says 线上直播. Items on ``provisional`` dates (no official holiday
    arrangement yet) are marked, their description opening with the 暂定 note.
    """
    rows = []
    note = provisional_note({date.year for date in provisional}, language)
    for item in items:
        weekday = pick(WEEKDAYS[item.date.weekday()], language)
        slot = slot_label(item.slot, language)
        tentative = item.date in provisional
        if isinstance(item, EventItem):
            title = event_title(programme, item.event, language)
            kind = pick(EVENTS[item.event_kind], language)
            span = _phase_of(phases, item.date)
            where = place(programme, venue, span.venue if span else None, language)
            if span is not None and span.mode == "live-online":
                where = label("online", language)
            if item.event_kind == "travel":  # on the road; to a site visit: towards its place
                visit = catalog.modules.get(item.event.removeprefix("travel-to-"))
                where = label("on_the_way", language) + (
                    f" → {visit.site.location.in_language(language)}" if visit and visit.site else "")
            rows.append(TimetableRow(item.date, weekday, slot, item.start, item.end, "", title, "", "", item.hours,
                                     kind, where, f"{note}\n{kind}" if tentative else kind, item.event_kind,
                                     tentative, phase_title(programme, span.phase if span else None, language)))
            continue
        module = catalog.modules[item.module]
        strand = catalog.strands[module.strand]
        title = module.title.in_language(language)
        split, group = programme.grouped.get(item.module, (None, None))
        if group is not None:
            title = f"【{group.title.in_language(language)}】{title}" if language == "zh" else \
                f"[{group.title.in_language(language)}] {title}"
        title += occurrence_suffix(item.occurrence, item.times, language)
        if item.parts > 1:
            title += f"（{item.part}/{item.parts}）" if language == "zh" else f" ({item.part}/{item.parts})"
        location = (module.site.location.in_language(language) if module.site
                    else label("online", language) if item.mode == "live-online"
                    else place(programme, venue, item.venue, language))
        outcomes = "；".join(module.outcomes)
        description = f"{strand.name.in_language(language)} · {item.hours:g} 学时 · {outcomes}"
        if tentative:
            description = f"{note}\n{description}"
        rows.append(TimetableRow(
            date=item.date, weekday=weekday, slot=slot, start=item.start, end=item.end, module=module.id,
            title=title, strand=strand.id, strand_label=strand.name.in_language(language), hours=item.hours,
            format_label=pick(FORMATS[module.format], language), location=location, description=description,
            provisional=tentative, phase=phase_title(programme, item.phase, language),
            group=group.title.in_language(language) if group else "",
            beside=split is not None and group is not None and group.id != split.groups[0].id,
            group_id=group.id if group else ""))
    return rows


@dataclass(frozen=True)
class SelfPacedRow:
    """A self-paced module as learners read it: what, 学时, and the dates it opens and falls due."""

    module: str
    title: str
    strand_label: str
    hours: float
    opens: dt.date
    due: dt.date
    phase: str


def self_paced_rows(catalog: Catalog, programme: Programme, items: Iterable[SelfPaced],
                    language: Language) -> list[SelfPacedRow]:
    """One row per self-paced module (线上自学: it counts 学时 and has no session)."""
    def title(item: SelfPaced) -> str:
        return catalog.modules[item.module].title.in_language(language) + occurrence_suffix(
            item.occurrence, item.times, language)

    return [SelfPacedRow(item.module, title(item),
                         catalog.strands[item.strand].name.in_language(language), item.hours, item.opens, item.due,
                         phase_title(programme, item.phase, language)) for item in items]


def event_title(programme: Programme, key: str, language: Language) -> str:
    """An event's title as the programme gives it, or the name of its kind."""
    event = next(e for e in programme.timetable_events if e.key == key)
    return event.title.in_language(language) if event.title else pick(EVENTS[event.kind], language)


def credit_rows(catalog: Catalog, programme: Programme, planned: list[tuple[str, float]],
                language: Language) -> list[CreditRow]:
    """One row per module taught; a group's module (where the cohort splits) is marked with its group."""
    def title(module: str, text: str) -> str:
        group = programme.grouped[module][1].title.in_language(language) if module in programme.grouped else ""
        return text if not group else f"【{group}】{text}" if language == "zh" else f"[{group}] {text}"

    return [CreditRow(line.module, title(line.module, line.title_zh if language == "zh" else line.title_en),
                      catalog.strands[line.strand].name.in_language(language), line.hours, line.credits,
                      line.outcomes, line.assessment, line.beside)
            for line in credit_record(catalog, programme, planned)]


def outcome_rows(programme: Programme) -> list[OutcomeRow]:
    return [OutcomeRow(o.id, o.text, tuple(o.modules)) for o in programme.outcomes]
