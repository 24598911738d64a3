"""Schedule: a :class:`~kebao.compose.Plan` -> a :class:`Timetable` of dated half-day sessions.

The days come from :func:`kebao.calendar.build_layout` (travel days, statutory
holidays, 调休 working weekends, weekends per the programme, slots per the
audience, site visits on their day). The rest of the plan is filled into the
free slots in time order:

* a slot holds at most the audience's 学时 per session, a day its 学时 per day;
* a module longer than a session is split into as few, even, consecutive parts
  as the sessions allow (part 1/2…); otherwise a module is kept whole in one slot;
* a module starts only after all its prerequisites have ended (site visits included),
  and prerequisites of a site visit are placed before it;
* strands are interleaved: the next module is preferably of a strand not yet
  taught that day, then of the strand with most 学时 left, then in plan order.

Several strategies are tried in a fixed order, from the tidiest (hours spread
evenly over the days, whole modules) to the most packed (split at any slot
edge, days filled from the first); the first that places every 学时 wins. If
none does, :class:`PlanError` says how many 学时 are left over.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any

from .calendar import CalendarDay, Layout, build_layout, ceil_half, clock
from .catalog import Catalog
from .compose import EPSILON, Plan, number
from .errors import PlanError

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
FRAME_COLUMNS = ("date", "weekday", "slot", "start", "end", "starts_at", "ends_at", "module", "strand",
                 "hours", "part", "parts", "reason")


@dataclass(frozen=True)
class Session:
    """One module (or part of one) on a date in a half-day slot; times are local to ``timezone``."""

    date: dt.date
    slot: str  # 上午, 下午 or 晚上
    start: str  # "HH:MM"
    end: str
    module: str
    strand: str
    hours: float
    part: int
    parts: int
    reason: str
    timezone: str

    def starts_at(self) -> dt.datetime:
        """The start as a timezone-aware datetime."""
        return _aware(self.date, self.start, self.timezone)

    def ends_at(self) -> dt.datetime:
        return _aware(self.date, self.end, self.timezone)

    def to_json_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "slot": self.slot, "start": self.start, "end": self.end,
                "module": self.module, "strand": self.strand, "hours": number(self.hours),
                "part": self.part, "parts": self.parts, "reason": self.reason}


@dataclass(frozen=True)
class Timetable:
    """The plan on real dates: every calendar day of the programme and its sessions in time order."""

    plan: Plan
    days: tuple[CalendarDay, ...]
    sessions: tuple[Session, ...]

    @property
    def timezone(self) -> str:
        return self.plan.timezone

    @property
    def total_hours(self) -> float:
        return sum(s.hours for s in self.sessions)

    def hours_by_strand(self) -> dict[str, float]:
        hours: dict[str, float] = {}
        for session in self.sessions:
            hours[session.strand] = hours.get(session.strand, 0.0) + session.hours
        return hours

    def sessions_on(self, date: dt.date) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.date == date)

    def to_frame(self) -> Any:
        """A ``pandas.DataFrame``, one row per session; pandas is imported here, on first use.

        (Typed ``Any``: pandas ships no type information unless pandas-stubs is installed.)
        """
        pd = importlib.import_module("pandas")
        rows = [{"date": s.date, "weekday": WEEKDAYS_ZH[s.date.weekday()], "slot": s.slot, "start": s.start,
                 "end": s.end, "starts_at": s.starts_at(), "ends_at": s.ends_at(), "module": s.module,
                 "strand": s.strand, "hours": s.hours, "part": s.part, "parts": s.parts, "reason": s.reason}
                for s in self.sessions]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    def to_json_dict(self) -> dict[str, Any]:
        """The plan and timetable as plain JSON values (the form `kebao plan --format json` prints)."""
        data = self.plan.to_json_dict()
        strands = data.pop("strands")
        notes = data.pop("notes")
        data["timezone"] = self.timezone
        data["calendar"] = [{"date": d.date.isoformat(), "kind": d.kind, "label": d.label,
                             "teaching_day": d.teaching_number} for d in self.days]
        data["sessions"] = [s.to_json_dict() for s in self.sessions]
        data["strands"] = strands
        data["notes"] = notes
        return data


def schedule(catalog: Catalog, plan: Plan) -> Timetable:
    """Dated sessions for ``plan``; PlanError if it does not fit its teaching days."""
    programme = catalog.programmes[plan.programme]
    audience = catalog.audiences[programme.audience]
    layout = build_layout(catalog, programme, audience, plan.cohort.start, plan.days, plan.weekends, plan.evenings)
    missing = [v.module for v in layout.visits if v.module not in plan.modules]
    if missing:
        raise PlanError(f"the plan lacks site visit(s) {', '.join(missing)} of programme '{programme.id}'",
                        "compose the plan with kebao.compose.compose")
    filler = _Filler(catalog, plan, layout, programme.minutes_per_hour)
    failure: str = ""
    for strategy in _STRATEGIES:
        pieces, failure = filler.run(*strategy)
        if not failure:
            return Timetable(plan, layout.days, filler.sessions(pieces))
    raise PlanError(failure, "add days (--set days=…), allow weekends or evenings, or plan fewer 学时 "
                             "(lower total_hours)")


# (tidy, spread, deadlines first): tidiest first; the last splits at any slot edge and always packs.
_STRATEGIES = ((True, True, False), (True, True, True), (True, False, False), (True, False, True),
               (False, False, True))


@dataclass(frozen=True)
class _Piece:
    module: str
    day: int
    slot: int
    offset: float  # 学时 after the slot's start
    hours: float


class _Filler:
    """Fills a layout's free slots with a plan's modules; one ``run`` per strategy."""

    def __init__(self, catalog: Catalog, plan: Plan, layout: Layout, minutes_per_hour: int):
        self.plan = plan
        self.layout = layout
        self.minutes_per_hour = minutes_per_hour
        self.visits = {v.module: v for v in layout.visits}
        self.teaching = [i for i in plan.items if i.module not in self.visits]
        self.index = {item.module: n for n, item in enumerate(self.teaching)}
        self.strand = {item.module: item.strand for item in plan.items}
        self.reason = {item.module: item.reason for item in plan.items}
        self.prerequisites = {item.module: [p for p in catalog.modules[item.module].prerequisites
                                            if p in self.strand] for item in plan.items}
        self.multi_strand = len({item.strand for item in plan.items}) > 1
        self.deadline: dict[str, tuple[int, int]] = {}  # module -> position of the first visit needing it
        for visit in sorted(layout.visits, key=lambda v: (v.day, v.slots[0])):
            for module in self._needed_by(visit.module):
                self.deadline.setdefault(module, (visit.day, visit.slots[0]))

    def _needed_by(self, module: str) -> list[str]:
        found: list[str] = []
        stack = list(self.prerequisites[module])
        while stack:
            current = stack.pop()
            if current not in found and current in self.index:
                found.append(current)
                stack.extend(self.prerequisites[current])
        return found

    def run(self, tidy: bool, spread: bool, deadline_first: bool) -> tuple[list[_Piece], str]:
        """Pieces placed, and why not everything fits ('' when it does)."""
        layout = self.layout
        remaining = {item.module: item.hours for item in self.teaching}
        strand_left: dict[str, float] = {}
        for item in self.teaching:
            strand_left[item.strand] = strand_left.get(item.strand, 0.0) + item.hours
        pieces: list[_Piece] = []
        ongoing: str | None = None
        free = [layout.free_hours(d) for d in range(len(layout.teaching))]
        for day in range(len(layout.teaching)):
            left = sum(remaining.values())
            budget = free[day]
            if spread and sum(free[day:]) > 0:
                budget = min(budget, ceil_half(left * free[day] / sum(free[day:])))
            used = 0.0
            today = {self.strand[v.module] for v in layout.visits if v.day == day}
            for slot, spec in enumerate(layout.slots):
                visit = layout.reserved(day, slot)
                if visit is not None:
                    late = [m for m in self._needed_by(visit.module) if remaining[m] > EPSILON]
                    if late:
                        return pieces, (f"prerequisite(s) {', '.join(late)} of site visit '{visit.module}' do not "
                                        f"fit before it ({layout.teaching[day].isoformat()})")
                    continue
                offset = 0.0
                while used < budget - EPSILON:  # a spread day's budget is soft: a started module may pass it
                    room = min(spec.capacity - offset, free[day] - used)
                    if room < EPSILON:
                        break
                    choice = self._pick(remaining, strand_left, today, ongoing, day, slot, offset, room,
                                        budget - used, tidy, deadline_first)
                    if choice is None:
                        break
                    module, hours = choice
                    pieces.append(_Piece(module, day, slot, offset, hours))
                    remaining[module] -= hours
                    strand_left[self.strand[module]] -= hours
                    offset += hours
                    used += hours
                    today.add(self.strand[module])
                    ongoing = module if remaining[module] > EPSILON else None
                    if ongoing is not None:
                        break  # its next part takes the next slot
        left = sum(remaining.values())
        if left > EPSILON:
            total = self.plan.total_hours
            waiting = sorted(m for m, h in remaining.items() if h > EPSILON and any(
                p in self.visits for p in self.prerequisites[m]))
            why = f"; {', '.join(waiting)} must follow a site visit" if waiting else ""
            return pieces, (f"the plan does not fit its teaching days: {left:g} 学时 are left over (the plan has "
                            f"{total:g} 学时; {len(layout.teaching)} teaching day(s) hold at most "
                            f"{layout.capacity:g}{why})")
        return pieces, ""

    def _pick(self, remaining: dict[str, float], strand_left: dict[str, float], today: set[str],
              ongoing: str | None, day: int, slot: int, offset: float, room: float, day_left: float,
              tidy: bool, deadline_first: bool) -> tuple[str, float] | None:
        capacity = self.layout.slots[slot].capacity
        if ongoing is not None:
            part = _part(remaining[ongoing], capacity) if tidy else remaining[ongoing]
            return ongoing, min(part, room)
        ready = [m for m in self.index if remaining[m] > EPSILON and self._ready(m, remaining, day, slot)]

        def key(module: str) -> tuple[Any, ...]:
            strand = self.strand[module]
            lonely = self.multi_strand and today <= {strand} and remaining[module] >= day_left - EPSILON
            interleave = (strand in today, lonely)
            deadline = self.deadline.get(module, (math.inf, math.inf))
            rest = (-strand_left[strand], self.index[module])
            return (deadline, *interleave, *rest) if deadline_first else (*interleave, deadline, *rest)

        for module in sorted(ready, key=key):
            hours = remaining[module]
            if not tidy or hours <= room + EPSILON:
                return module, min(hours, room)
            if offset < EPSILON and hours > capacity + EPSILON:
                return module, min(_part(hours, capacity), room)  # longer than a session: start a split
        return None

    def _ready(self, module: str, remaining: dict[str, float], day: int, slot: int) -> bool:
        for prerequisite in self.prerequisites[module]:
            visit = self.visits.get(prerequisite)
            if visit is not None:
                if (visit.day, visit.slots[-1]) >= (day, slot):
                    return False
            elif remaining[prerequisite] > EPSILON:
                return False
        return True

    def sessions(self, pieces: list[_Piece]) -> tuple[Session, ...]:
        layout = self.layout
        timezone = self.plan.timezone
        placed: list[tuple[str, int, int, float, float]] = [(p.module, p.day, p.slot, p.offset, p.hours)
                                                            for p in pieces]
        for visit in layout.visits:
            placed += [(visit.module, visit.day, slot, 0.0, hours) for slot, hours in zip(visit.slots, visit.hours,
                                                                                           strict=True)]
        placed.sort(key=lambda p: (p[1], p[2], p[3]))
        parts = {m: sum(1 for p in placed if p[0] == m) for m, *_ in placed}
        seen: dict[str, int] = {}
        sessions = []
        for module, day, slot, offset, hours in placed:
            spec = layout.slots[slot]
            seen[module] = seen.get(module, 0) + 1
            start = spec.start + math.floor(offset * self.minutes_per_hour)
            end = spec.start + math.floor((offset + hours) * self.minutes_per_hour)
            sessions.append(Session(layout.teaching[day], spec.name, clock(start), clock(end), module,
                                    self.strand[module], hours, seen[module], parts[module], self.reason[module],
                                    timezone))
        return tuple(sessions)


def _part(hours: float, capacity: float) -> float:
    """The next part of a module split evenly into as few parts as sessions allow (4 in 3-学时 sessions: 2+2)."""
    return ceil_half(hours / math.ceil(hours / capacity - EPSILON))


def _aware(date: dt.date, time: str, timezone: str) -> dt.datetime:
    hours, minutes = time.split(":")
    return dt.datetime(date.year, date.month, date.day, int(hours), int(minutes),
                       tzinfo=zoneinfo.ZoneInfo(timezone))
