"""The empty timetable: a programme's teaching days, each day's sessions, and what is placed before the rest.

A :class:`Layout` (made by :func:`kebao.agenda.build_layout`) holds the calendar's teaching days, the day's
sessions (作息时间: the programme's ``day``, or the schema-1 ``session_starts``; :func:`slot_specs`), the
events in them (报到, 开班式, 结业式…) and the modules placed on a day (site visits, pinned modules).
:mod:`kebao.compose` reads its capacity and checks with :meth:`Layout.leftover` that the modules it
chooses fit whole; :mod:`kebao.schedule` fills it.

Time inside a session (:class:`Clock`): teaching is counted in 学时 from the session's teaching start; each
whole 学时 is followed by a break that does not count (``break_minutes``), and times are rounded to five
minutes, so 2.5 学时 of 45 minutes from 14:00 end at 16:15 and the next item starts there. Evening sessions
(晚上) hold only evening activities (a module's ``evening``), on top of the audience's daytime maximum.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .calendar import CalendarDay
from .errors import PlanError
from .labels import SLOTS, Word
from .messages import say
from .model import Audience, Programme

MINUTES_IN_DAY = 24 * 60
EPSILON = 1e-6
SLOT_KEYS = ("morning", "afternoon", "evening")


def clock(minutes: int) -> str:
    """'HH:MM' for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: str) -> int:
    """Minutes after midnight of 'HH:MM'."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def split_part(hours: float, capacity: float) -> float:
    """The next part of a module split evenly into as few parts as sessions allow (4 in 3-学时 sessions: 2+2)."""
    return ceil_half(hours / math.ceil(hours / capacity - EPSILON))


def floor_half(value: float) -> float:
    return math.floor(value * 2 + 1e-9) / 2


def ceil_half(value: float) -> float:
    return math.ceil(value * 2 - 1e-9) / 2


def _round5(minutes: float) -> int:
    return int(math.floor(minutes / 5 + 0.5 + 1e-9)) * 5


@dataclass(frozen=True)
class Clock:
    """Minutes inside a session: 学时 of ``minutes_per_hour``, each whole one followed by ``break_minutes``."""

    minutes_per_hour: int
    break_minutes: int

    def start(self, offset: float) -> int:
        """Minutes after the teaching start at which an item ``offset`` 学时 in begins."""
        whole = math.floor(offset + EPSILON)
        return _round5(whole * (self.minutes_per_hour + self.break_minutes) + (offset - whole) * self.minutes_per_hour)

    def end(self, offset: float) -> int:
        """Minutes after the teaching start at which the first ``offset`` 学时 end (no break after the last)."""
        if offset < EPSILON:
            return 0
        return _round5(offset * self.minutes_per_hour + (math.ceil(offset - EPSILON) - 1) * self.break_minutes)

    def hours_in(self, minutes: float) -> float:
        """The most 学时 (in halves) whose end falls within ``minutes``."""
        return _hours_in(self.minutes_per_hour, self.break_minutes, minutes)


@functools.lru_cache(maxsize=1024)
def _hours_in(minutes_per_hour: int, break_minutes: int, minutes: float) -> float:
    """:meth:`Clock.hours_in`, counted once for each clock and length of time."""
    clock = Clock(minutes_per_hour, break_minutes)
    hours = 0.0
    while clock.end(hours + 0.5) <= minutes + EPSILON:
        hours += 0.5
    return hours


@dataclass(frozen=True)
class SlotSpec:
    """A half-day session: its key (labels.SLOTS has its words), its window in minutes after midnight, most 学时."""

    key: str
    start: int
    end: int
    capacity: float  # the audience's most per session, and what the window holds

    @property
    def daytime(self) -> bool:
        return self.key != "evening"


@dataclass(frozen=True)
class Reservation:
    """A module placed on a teaching day before the others are chosen: the sessions it takes, the 学时 in each."""

    module: str
    day: int  # index into Layout.teaching
    slots: tuple[int, ...]
    hours: tuple[float, ...]
    placed: str  # as the programme says: "first", "last", a teaching-day number, a weekday or a date
    kind: Literal["site-visit", "pinned"] = "site-visit"
    offset: float = 0.0  # 学时 after its first session's teaching start (a pinned start time)


@dataclass(frozen=True)
class EventSlot:
    """An event on a date: the session it belongs to, its clock times, and the 学时 it counts (usually none)."""

    event: str  # the event's key (its id, or its kind)
    date: dt.date
    slot: str
    start: int  # minutes after midnight
    end: int
    hours: float
    day: int | None  # index into Layout.teaching; None on a day without teaching (arrival)
    at: Literal["start", "end", "time"]


@dataclass(frozen=True)
class Layout:
    """The empty timetable: teaching days, their sessions, events, and the modules placed on a day."""

    days: tuple[CalendarDay, ...]
    teaching: tuple[dt.date, ...]
    slots: tuple[SlotSpec, ...]
    max_hours_per_day: float
    visits: tuple[Reservation, ...]  # site visits and pinned modules: each has its session(s) to itself
    clock: Clock = Clock(45, 0)
    events: tuple[EventSlot, ...] = ()
    margins: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # minutes events take at
    # the start and at the end of a session, by (teaching day, slot)

    # A layout never changes once made: what its methods derive from the days, sessions, events and placed
    # modules is computed once per layout (cached_property), not once per question.

    def reserved(self, day: int, slot: int) -> Reservation | None:
        """The module placed in ``slot`` on teaching day ``day``, if any."""
        return self._reserved.get((day, slot))

    @functools.cached_property
    def _reserved(self) -> dict[tuple[int, int], Reservation]:
        found: dict[tuple[int, int], Reservation] = {}
        for visit in self.visits:  # the first placed there, as a search in order would find
            for slot in visit.slots:
                found.setdefault((visit.day, slot), visit)
        return found

    def teaching_start(self, day: int, slot: int) -> int:
        """When teaching can begin in a session: after the events at its start and a break."""
        lead, _tail = self.margins.get((day, slot), (0, 0))
        return self.slots[slot].start + (lead + self.clock.break_minutes if lead else 0)

    def capacity_at(self, day: int, slot: int) -> float:
        """Most 学时 of teaching in a session on a given day: its capacity, less what its events take."""
        cut = self._cut.get((day, slot))
        return self.slots[slot].capacity if cut is None else cut

    @functools.cached_property
    def _cut(self) -> dict[tuple[int, int], float]:
        """:meth:`capacity_at` of the sessions that events shorten."""
        cut = {}
        for (day, slot), (lead, tail) in self.margins.items():
            if lead or tail:
                spec = self.slots[slot]
                room = spec.end - self.teaching_start(day, slot) - (tail + self.clock.break_minutes if tail else 0)
                cut[(day, slot)] = min(spec.capacity, self.clock.hours_in(room))
        return cut

    def daytime(self) -> list[int]:
        """The slots ordinary teaching uses (the evening holds evening activities only)."""
        return list(self._daytime)

    @functools.cached_property
    def _daytime(self) -> tuple[int, ...]:
        return tuple(index for index, spec in enumerate(self.slots) if spec.daytime)

    @functools.cached_property
    def evening(self) -> int | None:
        """The evening slot, when the programme has evenings."""
        return next((index for index, spec in enumerate(self.slots) if not spec.daytime), None)

    def visit_hours(self, day: int) -> float:
        return sum(sum(v.hours) for v in self.visits if v.day == day)

    def free_hours(self, day: int) -> float:
        """学时 of daytime teaching that teaching day ``day`` still holds beside its placed modules."""
        return self._free[day]

    @functools.cached_property
    def _free(self) -> tuple[float, ...]:
        """:meth:`free_hours` of every teaching day."""
        return tuple(max(0.0, min(self.max_hours_per_day - self.visit_hours(day),
                                  sum(room for room, _capacity in self._open[day])))
                     for day in range(len(self.teaching)))

    @functools.cached_property
    def _open(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        """By teaching day, its daytime sessions with no placed module: (:meth:`capacity_at`, the session's
        capacity), in time order."""
        return tuple(tuple((self.capacity_at(day, slot), self.slots[slot].capacity) for slot in self._daytime
                           if (day, slot) not in self._reserved)
                     for day in range(len(self.teaching)))

    def evening_room(self, day: int) -> float:
        evening = self.evening
        if evening is None or self.reserved(day, evening) is not None:
            return 0.0
        return self.capacity_at(day, evening)

    @functools.cached_property
    def capacity(self) -> float:
        """Most daytime 学时 the days hold: placed modules plus the free room of every teaching day."""
        return sum(sum(v.hours) for v in self.visits) + sum(self._free)

    @functools.cached_property
    def session_hours(self) -> float:
        """The longest daytime session: a module longer than this is split into parts, any other is kept whole."""
        return max(s.capacity for s in self.slots if s.daytime)

    @property
    def counted_hours(self) -> float:
        """学时 that events count (an event counts only when the programme says so)."""
        return sum(event.hours for event in self.events)

    def leftover(self, modules: Iterable[float]) -> float:
        """学时 of daytime ``modules`` (besides the placed ones) that do not fit *whole*; 0 when all do.

        Room that no whole module fits into does not count (3 学时 a day in sessions of 2
        hold one 2-学时 module, not one and a half). The packing, which :mod:`kebao.schedule`
        tries too (with prerequisites) before it ever cuts a module: slot by slot in time
        order, the longest module that fits the room left in the slot and its day. A module
        longer than its slot is split into even parts (:func:`split_part`): the first ends
        the slot it starts in (other modules go before it), each next part takes the next
        slot that holds it.
        """
        waiting = sorted(modules, reverse=True)
        ongoing = 0.0
        for day_room, sessions in zip(self._free, self._open, strict=True):
            if not waiting and ongoing < EPSILON:  # everything placed: the days left change nothing
                break
            for slot_room, capacity in sessions:  # capacity: what splits a module, the session's, not this one's
                if slot_room < EPSILON:
                    continue
                if ongoing > EPSILON:
                    part = split_part(ongoing, capacity)
                    if part <= min(slot_room, day_room) + EPSILON:
                        ongoing, slot_room, day_room = ongoing - part, slot_room - part, day_room - part
                        if ongoing > EPSILON:
                            continue
                while waiting:
                    room = min(slot_room, day_room)
                    if room < EPSILON:
                        break
                    index = _first_fitting(waiting, room, capacity, ongoing < EPSILON)
                    if index is None:
                        break
                    hours = waiting.pop(index)
                    if hours > room + EPSILON:
                        ongoing = hours - split_part(hours, capacity)
                        hours -= ongoing
                    slot_room, day_room = slot_room - hours, day_room - hours
        return sum(waiting) + max(ongoing, 0.0)

    def evening_leftover(self, modules: Iterable[float]) -> float:
        """学时 of evening activities that find no evening to hold them whole (longest first, first evening free)."""
        rooms = [self.evening_room(day) for day in range(len(self.teaching))]
        left = 0.0
        for hours in sorted(modules, reverse=True):
            index = next((i for i, room in enumerate(rooms) if hours <= room + EPSILON), None)
            if index is None:
                left += hours
            else:
                rooms[index] -= hours
        return left


def _first_fitting(waiting: list[float], room: float, capacity: float, may_split: bool) -> int | None:
    """The index of the first (longest) of ``waiting`` that fits ``room`` whole, or whose first part does (one
    longer than the session's ``capacity``, when no split module is in progress); None if none does."""
    for index, hours in enumerate(waiting):
        if hours <= room + EPSILON or (may_split and hours > capacity + EPSILON
                                       and split_part(hours, capacity) <= room + EPSILON):
            return index
    return None


def slot_specs(programme: Programme, audience: Audience, evenings: bool, clock: Clock) -> tuple[SlotSpec, ...]:
    """The day's sessions: each holds what the audience allows and what fits in its window, breaks included.

    With ``day`` (schema 2) the windows are as given (lunch and dinner lie between them); with the schema-1
    ``session_starts`` a session's window runs to the next session's start (the evening's to midnight).
    A programme meeting every week or fortnight may keep only some sessions (its ``calendar.sessions``).
    """
    keys = [*SLOT_KEYS[:2], *(["evening"] if evenings else [])]
    if programme.day is not None:
        windows = [(minutes_of(getattr(programme.day, key).start), minutes_of(getattr(programme.day, key).end))
                   for key in keys]
    else:
        starts = [minutes_of(getattr(programme.session_starts, key)) for key in keys]
        windows = [(start, starts[index + 1] if index + 1 < len(starts) else MINUTES_IN_DAY)
                   for index, start in enumerate(starts)]
        for index in range(len(keys) - 1):
            if windows[index][1] <= windows[index][0]:
                raise PlanError(say("error-session-order", programme=programme.id, slot=keys[index + 1],
                                    previous=keys[index], time=clock_text(windows[index][1]),
                                    before=clock_text(windows[index][0])),
                                [say("advice-session-times")])
    specs = []
    for key, (start, end) in zip(keys, windows, strict=True):
        capacity = min(audience.max_hours_per_session, clock.hours_in(end - start))
        if capacity <= 0:
            raise PlanError(say("error-session-no-room", programme=programme.id, slot=Word(*SLOTS[key]),
                                end=clock_text(end)), [say("advice-sessions-apart")])
        specs.append(SlotSpec(key, start, end, capacity))
    sessions = programme.calendar.sessions if programme.calendar is not None else []
    return tuple(spec for spec in specs if not sessions or spec.key in sessions)


clock_text = clock
