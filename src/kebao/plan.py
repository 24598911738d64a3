"""The plan: which modules a cohort takes, why, and the 学时 per strand (what :func:`kebao.compose.compose` returns).

Plain frozen values; :mod:`kebao.schedule` puts a plan on dates. Everything here
is importable from :mod:`kebao.compose` too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .calendar import span
from .catalog import Catalog
from .holidaydata import provisional_years
from .labels import provisional_note
from .layout import Layout
from .messages import Message
from .model import Cohort, Language, Programme

ReasonKind = Literal["site-visit", "placed", "required", "extra", "prerequisite", "chosen"]


@dataclass(frozen=True)
class PlanItem:
    """One module in the plan and why it is there."""

    module: str
    strand: str
    hours: float
    kind: ReasonKind
    reason: Message  # why it is in (kebao.messages), said where it is shown
    group: str | None = None  # the group of a split it is taught to (model.Split), None: the whole cohort
    occurrence: int = 1  # which time of a repeated module (the programme's ``repeat``) this is
    times: int = 1  # how many times the module is taught

    @property
    def key(self) -> str:
        """What names this item in a timetable's filling: the module id, with ``~N`` for its N-th time (N > 1)."""
        return self.module if self.occurrence == 1 else f"{self.module}~{self.occurrence}"


@dataclass(frozen=True)
class StrandHours:
    """A strand's target and planned 学时."""

    id: str
    name: str  # Chinese name
    target_hours: float
    hours: float

    @property
    def error(self) -> float:
        """Planned minus target (negative: short)."""
        return self.hours - self.target_hours


@dataclass(frozen=True)
class Plan:
    """Which modules a cohort takes, why, and the 学时 per strand; the input of :func:`kebao.schedule.schedule`."""

    programme: str
    cohort: Cohort  # effective: language, days and mix filled in from the programme
    weekends: bool
    evenings: bool
    timezone: str
    target_hours: float
    capacity: float
    items: tuple[PlanItem, ...]
    strands: tuple[StrandHours, ...]
    layout: Layout = field(compare=False, repr=False)  # the days compose planned for; schedule fills them
    notes: tuple[Message, ...] = ()
    event_hours: float = 0.0  # 学时 that events count (an event counts only when the programme says so)
    parallel: tuple[PlanItem, ...] = ()  # modules of a split's other groups, beside their first group's

    @property
    def total_hours(self) -> float:
        return sum(item.hours for item in self.items) + self.event_hours

    @property
    def days(self) -> int:
        return self.cohort.days or 0

    @property
    def language(self) -> Language:
        return self.cohort.language or "zh"

    @property
    def modules(self) -> tuple[str, ...]:
        """Every module taught (the other groups' of a split too), once each (a repeated module too)."""
        return tuple(dict.fromkeys(item.module for item in self.taught))

    @property
    def module_hours(self) -> list[tuple[str, float]]:
        """(module, 学时) of every module taught, in plan order; a repeated module's times added up."""
        hours: dict[str, float] = {}
        for item in self.taught:
            hours[item.module] = hours.get(item.module, 0.0) + item.hours
        return list(hours.items())

    @property
    def provisional(self) -> bool:
        """True when a day of the plan has no official holiday arrangement yet (暂定; see kebao.holidaydata)."""
        return any(day.provisional for day in self.layout.days)

    @property
    def taught(self) -> tuple[PlanItem, ...]:
        """Every module taught: the plan's items (one learner's 学时) and the other groups' beside them."""
        return (*self.items, *self.parallel)

    def item(self, module: str) -> PlanItem:
        """The plan's item for ``module`` (a parallel group's too); KeyError if it is not in the plan."""
        for item in self.taught:
            if item.module == module:
                return item
        raise KeyError(module)

    def to_json_dict(self) -> dict[str, Any]:
        """The plan as plain JSON values (no sessions; see Timetable.to_json_dict)."""
        return {
            "programme": self.programme,
            "cohort": self.cohort.model_dump(mode="json"),
            "target_hours": number(self.target_hours),
            "total_hours": number(self.total_hours),
            "capacity": number(self.capacity),
            "provisional": self.provisional,
            "provisional_note": provisional_note(provisional_years(self.layout.days), self.language),
            "modules": [{"module": i.module, "strand": i.strand, "hours": number(i.hours), "kind": i.kind,
                         "group": i.group, "occurrence": i.occurrence, "times": i.times,
                         "reason": i.reason.render(self.language),
                         "why": i.reason.to_json(self.language)} for i in self.taught],
            "strands": [{"id": s.id, "name": s.name, "target_hours": number(s.target_hours),
                         "hours": number(s.hours)} for s in self.strands],
            "notes": [note.to_json(self.language) for note in self.notes],
        }


def number(value: float) -> float | int:
    """A JSON number: whole values as int, others rounded to 2 decimals."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def strand_label(catalog: Catalog, strand: str) -> str:
    """'产业 (industry)': the Chinese name with the id."""
    found = catalog.strands.get(strand)
    return f"{found.name.zh} ({strand})" if found else strand


def span_of(programme: Programme, plan: Plan) -> Message:
    """How the plan's days run ('2026-12-06 起 10 天', or a rhythm's meetings, or the cohort's dates)."""
    return span(plan.cohort.start, plan.days, programme.calendar, plan.cohort.dates)
