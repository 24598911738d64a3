"""Schedule: a :class:`~kebao.compose.Plan` -> a :class:`Timetable` of dated half-day sessions.

The days are the plan's layout, made by compose with :func:`kebao.calendar.build_layout` (travel days, statutory
holidays, 调休 working weekends, weekends per the programme, slots per the
audience, site visits on their day). The rest of the plan is filled into the
free slots in time order:

* a slot holds at most the audience's 学时 per session, a day its 学时 per day;
* a module is kept whole in one slot unless it is longer than a session; then it
  is split into as few, even parts as the sessions allow, in consecutive slots
  (part 1/2…): the first part ends its slot, the others take the next slots;
* a module starts only after all its prerequisites have ended (site visits included),
  and prerequisites of a site visit are placed before it;
* closing modules (format ``assessment``: final assessments, showcases, defences)
  come after every other module except site visits and the modules that need them,
  unless a site visit needs them first;
* when the days hold more than the plan, sessions are spread evenly over the teaching
  days (a module goes on a day while the plan's 学时 up to its middle stay within the
  days' share so far), not packed into the first days;
* strands are interleaved: the next module is preferably of a strand not yet
  taught that day, then of the strand with most 学时 left, then in plan order.

Several strategies are tried in a fixed order, from the tidiest (spread, closing
modules last) to the most packed (the longest module that fits first, the same
packing that :meth:`kebao.calendar.Layout.leftover` checks for compose); the
first that places every 学时 wins. If none does, the same are tried letting a
closing module come earlier; failing that, modules are cut at slot edges (the
last resort). Either way a note in :attr:`Timetable.notes` says which module and
why. A plan that fits in no way is a :class:`PlanError` saying how many 学时 are
left over.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any, Literal

from .calendar import CalendarDay, Layout, clock, split_part
from .catalog import Catalog
from .compose import EPSILON, Plan, number
from .errors import PlanError
from .labels import SLOTS, WEEKDAYS

FRAME_COLUMNS = ("date", "weekday", "slot", "start", "end", "starts_at", "ends_at", "module", "strand",
                 "hours", "part", "parts", "reason")


@dataclass(frozen=True)
class Session:
    """One module (or part of one) on a date in a half-day slot; times are local to ``timezone``."""

    date: dt.date
    slot: str  # morning, afternoon or evening (labels.SLOTS has the words)
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
    schedule_notes: tuple[str, ...] = ()  # why a module is split or a closing module is not last

    @property
    def notes(self) -> tuple[str, ...]:
        """The plan's notes, then the timetable's own."""
        return self.plan.notes + self.schedule_notes

    @property
    def timezone(self) -> str:
        return self.plan.timezone

    @property
    def total_hours(self) -> float:
        return sum(s.hours for s in self.sessions)

    @property
    def provisional(self) -> bool:
        """True when a day has no official holiday arrangement yet (暂定; see kebao.holidaydata)."""
        return any(day.provisional for day in self.days)

    def sessions_on(self, date: dt.date) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.date == date)

    def to_frame(self) -> Any:
        """A ``pandas.DataFrame``, one row per session; pandas is imported here, on first use.

        (Typed ``Any``: pandas ships no type information unless pandas-stubs is installed.)
        """
        pd = importlib.import_module("pandas")
        rows = [{"date": s.date, "weekday": WEEKDAYS[s.date.weekday()][0], "slot": s.slot, "start": s.start,
                 "end": s.end, "starts_at": s.starts_at(), "ends_at": s.ends_at(), "module": s.module,
                 "strand": s.strand, "hours": s.hours, "part": s.part, "parts": s.parts, "reason": s.reason}
                for s in self.sessions]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    def to_json_dict(self) -> dict[str, Any]:
        """The plan and timetable as plain JSON values (the form `kebao plan --format json` prints)."""
        data = self.plan.to_json_dict()
        strands = data.pop("strands")
        data.pop("notes")
        data["timezone"] = self.timezone
        data["calendar"] = [{"date": d.date.isoformat(), "kind": d.kind, "label": d.label,
                             "teaching_day": d.teaching_number} for d in self.days]
        data["sessions"] = [s.to_json_dict() for s in self.sessions]
        data["strands"] = strands
        data["notes"] = list(self.notes)
        return data


def schedule(catalog: Catalog, plan: Plan) -> Timetable:
    """Dated sessions for ``plan``; PlanError if it does not fit its teaching days."""
    programme = catalog.programmes[plan.programme]
    layout = plan.layout
    missing = [v.module for v in layout.visits if v.module not in plan.modules]
    if missing:
        raise PlanError(f"the plan lacks site visit(s) {', '.join(missing)} of programme '{programme.id}'",
                        "compose the plan with kebao.compose.compose")
    filler = _Filler(catalog, plan, layout, programme.minutes_per_hour)
    failure: str = ""
    for strategy in _strategies(bool(filler.closing)):
        pieces, failure = filler.run(strategy)
        if not failure:
            return Timetable(plan, layout.days, filler.sessions(pieces), tuple(filler.notes(pieces, strategy)))
    raise PlanError(failure, "add days (--set days=…), or plan fewer 学时 (lower total_hours in the programme)")


@dataclass(frozen=True)
class _Strategy:
    spread: bool  # spread the sessions evenly over the days
    order: _Order  # which ready module first
    closing_last: bool  # closing modules after every other
    tidy: bool = True  # False: cut modules at slot edges (the last resort)


def _strategies(closing: bool) -> list[_Strategy]:
    """Tidiest first; the last cuts modules at any slot edge and always packs."""
    lasts = (True, False) if closing else (True,)
    return [*(_Strategy(spread, order, last) for last in lasts for spread, order in _TIDY),
            *(_Strategy(False, "deadline", last, tidy=False) for last in lasts)]


_Order = Literal["interleave", "deadline", "longest"]
_TIDY: tuple[tuple[bool, _Order], ...] = ((True, "interleave"), (True, "deadline"), (False, "interleave"),
                                         (False, "deadline"), (False, "longest"))


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
        self.hours = {item.module: item.hours for item in plan.items}
        self.prerequisites = {item.module: [p for p in catalog.modules[item.module].prerequisites
                                            if p in self.strand] for item in plan.items}
        self.multi_strand = len({item.strand for item in plan.items}) > 1
        self.deadline: dict[str, tuple[int, int]] = {}  # module -> position of the first visit needing it
        for visit in sorted(layout.visits, key=lambda v: (v.day, v.slots[0])):
            for module in self._needed_by(visit.module):
                self.deadline.setdefault(module, (visit.day, visit.slots[0]))
        self.closing = [m for m in self.index if catalog.modules[m].format == "assessment" and m not in self.deadline]
        self.waits = {m: [o for o in self.index if o not in self.closing and m not in self._needed_by(o)]
                      for m in self.closing}  # what a closing module waits for: all but what needs it

    def _needed_by(self, module: str) -> list[str]:
        """The teaching modules ``module`` needs first, directly or not."""
        found: list[str] = []
        stack = list(self.prerequisites[module])
        while stack:
            current = stack.pop()
            if current not in found and current in self.index:
                found.append(current)
                stack.extend(self.prerequisites[current])
        return found

    # The agenda model (issue 13) replaces this filling with placements.
    # size: one pass over the days and slots; its state (what is left, the split in progress) is its locals.
    def run(self, strategy: _Strategy) -> tuple[list[_Piece], str]:
        """Pieces placed, and why not everything fits ('' when it does)."""
        layout = self.layout
        remaining = {item.module: item.hours for item in self.teaching}
        strand_left: dict[str, float] = {}
        for item in self.teaching:
            strand_left[item.strand] = strand_left.get(item.strand, 0.0) + item.hours
        pieces: list[_Piece] = []
        free = [layout.free_hours(d) for d in range(len(layout.teaching))]
        total, room_in_all = sum(remaining.values()), sum(free)
        shares = [total * sum(free[:d + 1]) / room_in_all if room_in_all else 0.0 for d in range(len(free))]
        placed = 0.0
        ongoing: str | None = None  # a split module whose next part takes the next slot

        def place(module: str, day: int, slot: int, offset: float, hours: float) -> None:
            nonlocal placed
            pieces.append(_Piece(module, day, slot, offset, hours))
            remaining[module] -= hours
            strand_left[self.strand[module]] -= hours
            placed += hours

        for day in range(len(layout.teaching)):
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
                if ongoing is not None:  # its next part: even (tidy) and only where it fits, or what fits (cut)
                    left, room = remaining[ongoing], min(spec.capacity, free[day] - used)
                    part = split_part(left, spec.capacity) if strategy.tidy else min(left, room)
                    if EPSILON < part <= room + EPSILON:
                        place(ongoing, day, slot, 0.0, part)
                        offset, used = part, used + part
                        if remaining[ongoing] > EPSILON:
                            continue
                        ongoing = None
                tail: tuple[str, float] | None = None  # a split's first part: it ends the slot
                while True:
                    room = min(spec.capacity - offset - (tail[1] if tail else 0.0), free[day] - used)
                    if room < EPSILON:
                        break
                    share = shares[day] - placed if strategy.spread else math.inf
                    choice = self._pick(remaining, strand_left, today, day, slot, room, share, ongoing, tail is None,
                                        strategy)
                    if choice is None:
                        break
                    module, hours = choice
                    today.add(self.strand[module])
                    used += hours
                    if hours < remaining[module] - EPSILON and strategy.tidy:
                        tail = (module, hours)
                        remaining[module] -= hours  # placed below, once the slot is full
                        strand_left[self.strand[module]] -= hours
                        placed += hours
                        continue
                    place(module, day, slot, offset, hours)
                    offset += hours
                    if remaining[module] > EPSILON:  # cut (the last resort): the rest takes the next slot
                        ongoing = module
                        break
                if tail is not None:
                    pieces.append(_Piece(tail[0], day, slot, offset, tail[1]))
                    ongoing = tail[0]
        left = sum(remaining.values())
        if left > EPSILON:
            waiting = sorted(m for m, h in remaining.items() if h > EPSILON and any(
                p in self.visits for p in self.prerequisites[m]))
            why = f"; {', '.join(waiting)} must follow a site visit" if waiting else ""
            return pieces, (f"the plan does not fit its teaching days: {left:g} 学时 are left over (the plan has "
                            f"{self.plan.total_hours:g} 学时; {len(layout.teaching)} teaching day(s) hold at most "
                            f"{layout.capacity:g}{why})")
        return pieces, ""

    def _pick(self, remaining: dict[str, float], strand_left: dict[str, float], today: set[str], day: int,
              slot: int, room: float, share: float, ongoing: str | None, may_split: bool,
              strategy: _Strategy) -> tuple[str, float] | None:
        """The next module for this slot and the 学时 it takes here (less than its rest: a first part)."""
        capacity = self.layout.slots[slot].capacity
        ready = [m for m in self.index if remaining[m] > EPSILON and m != ongoing
                 and self._ready(m, remaining, day, slot, strategy)]
        day_left = min(room, share)

        def key(module: str) -> tuple[Any, ...]:
            strand = self.strand[module]
            lonely = self.multi_strand and today <= {strand} and remaining[module] >= day_left - EPSILON
            interleave = (strand in today, lonely)
            deadline = self.deadline.get(module, (math.inf, math.inf))
            rest = (-strand_left[strand], self.index[module])
            if strategy.order == "longest":
                return (deadline, -remaining[module], self.index[module])
            if not strategy.tidy:
                return (deadline, remaining[module] > room + EPSILON, *interleave, *rest)
            return (deadline, *interleave, *rest) if strategy.order == "deadline" else (*interleave, deadline, *rest)

        for module in sorted(ready, key=key):
            hours = remaining[module]
            if hours <= room + EPSILON:
                if hours / 2 <= share + EPSILON:
                    return module, hours
            elif not strategy.tidy:
                return module, room
            elif may_split and ongoing is None and hours > capacity + EPSILON:
                part = split_part(hours, capacity)
                if part <= room + EPSILON and part / 2 <= share + EPSILON:
                    return module, part
        return None

    def _ready(self, module: str, remaining: dict[str, float], day: int, slot: int, strategy: _Strategy) -> bool:
        for prerequisite in self.prerequisites[module]:
            visit = self.visits.get(prerequisite)
            if visit is not None:
                if (visit.day, visit.slots[-1]) >= (day, slot):
                    return False
            elif remaining[prerequisite] > EPSILON:
                return False
        if strategy.closing_last and module in self.waits:
            return all(remaining[other] <= EPSILON for other in self.waits[module])
        return True

    def notes(self, pieces: list[_Piece], strategy: _Strategy) -> list[str]:
        """Why a module is in more parts than its length needs, or a closing module is not last."""
        notes = []
        layout = self.layout
        for module in self.index:
            parts = [p for p in pieces if p.module == module]
            hours = self.hours[module]
            if len(parts) <= math.ceil(hours / layout.session_hours - EPSILON):
                continue
            where = ", ".join(f"{layout.teaching[p.day].isoformat()} {SLOTS[layout.slots[p.slot].key][0]} {p.hours:g}"
                              for p in parts)
            why = ("no free session holds it whole once prerequisites, site visits and closing modules are in "
                   "order; more days (--set days=…) keep every module whole" if not strategy.tidy else
                   "the sessions left beside the other modules are shorter than its even parts")
            notes.append(f"module '{module}' ({hours:g} 学时) is split into {len(parts)} parts ({where}): {why}")
        if not strategy.closing_last:
            ends = {p.module: (p.day, p.slot, p.offset) for p in pieces}
            for module in self.closing:
                after = [o for o in self.waits[module] if ends[o] > ends[module]]
                if after:
                    notes.append(f"closing module '{module}' comes before {', '.join(after)}: the days hold the "
                                 "modules in no order that leaves it last")
        return notes

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
            sessions.append(Session(layout.teaching[day], spec.key, clock(start), clock(end), module,
                                    self.strand[module], hours, seen[module], parts[module], self.reason[module],
                                    timezone))
        return tuple(sessions)


def _aware(date: dt.date, time: str, timezone: str) -> dt.datetime:
    hours, minutes = time.split(":")
    return dt.datetime(date.year, date.month, date.day, int(hours), int(minutes),
                       tzinfo=zoneinfo.ZoneInfo(timezone))
