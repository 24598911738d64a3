"""The timetable: a plan on real dates, as teaching sessions and events (what :func:`kebao.schedule.schedule` returns).

Plain frozen values with their JSON form; words come from :mod:`kebao.labels` where they are shown.
"""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from dataclasses import dataclass
from typing import Any, Literal

from .calendar import CalendarDay
from .labels import WEEKDAYS, Language
from .messages import Message
from .plan import Plan, number

Mode = Literal["face-to-face", "live-online"]

FRAME_COLUMNS = ("date", "weekday", "slot", "start", "end", "starts_at", "ends_at", "module", "strand",
                 "hours", "part", "parts", "reason")


@dataclass(frozen=True)
class Session:
    """One module (or part of one) on a date in a half-day slot; times are local to ``timezone``."""

    kind = "teaching"  # beside EventItem.kind: what a timetable item is

    date: dt.date
    slot: str  # morning, afternoon or evening (labels.SLOTS has the words)
    start: str  # "HH:MM"
    end: str
    module: str
    strand: str
    hours: float
    part: int
    parts: int
    reason: Message  # the plan item's (kebao.messages)
    timezone: str
    phase: str | None = None  # the programme phase it is in (schema 2 phases)
    mode: Mode = "face-to-face"  # live-online: a session online (the module's delivery, or its phase's mode)
    venue: str | None = None  # the id of its venue in the programme's venues; None: the cohort's venue
    group: str | None = None  # the group of a split it is taught to (side by side with the others); None: all
    occurrence: int = 1  # the time of a repeated module (the programme's ``repeat``) this session teaches
    times: int = 1  # how many times its module is taught

    def starts_at(self) -> dt.datetime:
        """The start as a timezone-aware datetime."""
        return _aware(self.date, self.start, self.timezone)

    def ends_at(self) -> dt.datetime:
        return _aware(self.date, self.end, self.timezone)

    def to_json_dict(self, language: Language = "zh") -> dict[str, Any]:
        return {"kind": self.kind, "date": self.date.isoformat(), "slot": self.slot, "start": self.start,
                "end": self.end, "module": self.module, "strand": self.strand, "hours": number(self.hours),
                "part": self.part, "parts": self.parts, "mode": self.mode, "venue": self.venue, "phase": self.phase,
                "group": self.group, "occurrence": self.occurrence, "times": self.times,
                "reason": self.reason.render(language)}


@dataclass(frozen=True)
class SelfPaced:
    """A self-paced module: it counts 学时 and takes no session; learners do it between ``opens`` and ``due``."""

    module: str
    strand: str
    hours: float
    opens: dt.date
    due: dt.date
    reason: Message
    phase: str | None = None
    kind: Literal["self-paced"] = "self-paced"
    occurrence: int = 1  # the time of a repeated module (the programme's ``repeat``)
    times: int = 1

    def to_json_dict(self, language: Language = "zh") -> dict[str, Any]:
        return {"kind": self.kind, "module": self.module, "strand": self.strand, "hours": number(self.hours),
                "opens": self.opens.isoformat(), "due": self.due.isoformat(), "mode": "self-paced",
                "phase": self.phase, "occurrence": self.occurrence, "times": self.times,
                "reason": self.reason.render(language)}


@dataclass(frozen=True)
class PhaseSpan:
    """A phase of the programme and its dates; ``teaches`` False for self-paced and at-work phases."""

    phase: str
    mode: str
    first: dt.date
    last: dt.date
    venue: str | None
    teaches: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "mode": self.mode, "first": self.first.isoformat(),
                "last": self.last.isoformat(), "venue": self.venue}


@dataclass(frozen=True)
class EventItem:
    """An event (报到, 开班式, 结业式…) on a date; ``event`` is its key in the programme's ``events``."""

    date: dt.date
    slot: str
    start: str
    end: str
    event: str
    event_kind: str  # check-in, opening, closing… (labels.EVENTS has the words)
    hours: float  # 学时 it counts: 0 unless the programme says it counts
    timezone: str
    kind: Literal["event"] = "event"

    def starts_at(self) -> dt.datetime:
        return _aware(self.date, self.start, self.timezone)

    def ends_at(self) -> dt.datetime:
        return _aware(self.date, self.end, self.timezone)

    def to_json_dict(self, language: Language = "zh") -> dict[str, Any]:
        return {"kind": self.kind, "date": self.date.isoformat(), "slot": self.slot, "start": self.start,
                "end": self.end, "event": self.event, "event_kind": self.event_kind, "hours": number(self.hours)}


Item = Session | EventItem


@dataclass(frozen=True)
class Timetable:
    """The plan on real dates: every calendar day of the programme and its sessions in time order."""

    plan: Plan
    days: tuple[CalendarDay, ...]
    sessions: tuple[Session, ...]  # teaching, in time order
    schedule_notes: tuple[Message, ...] = ()  # why a module is split or a closing module is not last
    events: tuple[EventItem, ...] = ()  # in time order
    self_paced: tuple[SelfPaced, ...] = ()  # modules without a session, by opening date
    phases: tuple[PhaseSpan, ...] = ()  # the programme's phases and their dates (schema 2)

    @property
    def items(self) -> tuple[Item, ...]:
        """Sessions and events together, in time order (an event before a session starting with it)."""
        both: list[Item] = [*self.events, *self.sessions]
        return tuple(sorted(both, key=lambda item: (item.date, item.start, item.kind != "event")))

    @property
    def notes(self) -> tuple[Message, ...]:
        """The plan's notes, then the timetable's own."""
        return self.plan.notes + self.schedule_notes

    @property
    def timezone(self) -> str:
        return self.plan.timezone

    @property
    def total_hours(self) -> float:
        """One learner's 学时: the sessions (of one group where the cohort splits), the self-paced modules, and
        the events that count."""
        beside = {item.module for item in self.plan.parallel}
        return (sum(s.hours for s in self.sessions if s.module not in beside) + sum(e.hours for e in self.events)
                + sum(s.hours for s in self.self_paced))

    @property
    def provisional(self) -> bool:
        """True when a day has no official holiday arrangement yet (暂定; see kebao.holidaydata)."""
        return any(day.provisional for day in self.days)

    def sessions_on(self, date: dt.date) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.date == date)

    def items_on(self, date: dt.date) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.date == date)

    def to_frame(self) -> Any:
        """A ``pandas.DataFrame``, one row per session; pandas is imported here, on first use.

        (Typed ``Any``: pandas ships no type information unless pandas-stubs is installed.)
        """
        pd = importlib.import_module("pandas")
        language = self.plan.language
        rows = [{"date": s.date, "weekday": WEEKDAYS[s.date.weekday()][0], "slot": s.slot, "start": s.start,
                 "end": s.end, "starts_at": s.starts_at(), "ends_at": s.ends_at(), "module": s.module,
                 "strand": s.strand, "hours": s.hours, "part": s.part, "parts": s.parts,
                 "reason": s.reason.render(language)} for s in self.sessions]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    def to_json_dict(self) -> dict[str, Any]:
        """The plan and timetable as plain JSON values (the form `kebao plan --format json` prints)."""
        data = self.plan.to_json_dict()
        strands = data.pop("strands")
        data.pop("notes")
        data["timezone"] = self.timezone
        data["calendar"] = [{"date": d.date.isoformat(), "kind": d.kind, "label": d.label,
                             "teaching_day": d.teaching_number, "phase": d.phase} for d in self.days]
        data["items"] = [item.to_json_dict(self.plan.language) for item in self.items]
        data["self_paced"] = [item.to_json_dict(self.plan.language) for item in self.self_paced]
        data["phases"] = [span.to_json_dict() for span in self.phases]
        data["strands"] = strands
        data["notes"] = [note.to_json(self.plan.language) for note in self.notes]
        return data


def _aware(date: dt.date, time: str, timezone: str) -> dt.datetime:
    hours, minutes = time.split(":")
    return dt.datetime(date.year, date.month, date.day, int(hours), int(minutes),
                       tzinfo=zoneinfo.ZoneInfo(timezone))
