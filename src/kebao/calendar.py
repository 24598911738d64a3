"""Calendar rules: which days teach, the half-day slots of a day, and where site visits go.

Pure functions over dates and the content model. Chinese statutory holidays and
the working weekends that make up for them (调休) come from official data
(``curricula/holidays.yml``, else the maintained ``chinese_calendar`` table); a
later year that neither covers is planned provisionally (暂定) from the
statutory holidays alone, and each :class:`CalendarDay` says so
(:mod:`kebao.holidaydata` decides, behind :func:`holiday_detail`); a year
nothing covers is a :class:`PlanError`.

The result is a :class:`Layout`: the programme's calendar days, its teaching
days, the slots of each teaching day with the 学时 they can hold, and the slots
reserved for site visits. :mod:`kebao.compose` reads its capacity before
choosing modules, and checks with :meth:`Layout.leftover` that the modules it
chooses fit *whole*; :mod:`kebao.schedule` fills it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from . import holidaydata
from .catalog import Catalog
from .errors import PlanError
from .labels import SLOTS
from .model import Audience, HolidayCalendar, Programme, SiteVisit

DayKind = Literal["teaching", "arrival", "departure", "holiday", "weekend"]

DAY_KIND_NAMES: dict[str, str] = {"teaching": "教学日", "arrival": "报到", "departure": "返程",
                                  "holiday": "法定节假日", "weekend": "周末"}
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
MINUTES_IN_DAY = 24 * 60
EPSILON = 1e-6


@dataclass(frozen=True)
class CalendarDay:
    """One calendar day of a programme, and why it teaches or not."""

    date: dt.date
    number: int  # 1-based day of the programme
    kind: DayKind
    holiday: str | None = None  # the statutory holiday (Chinese name), or the 调休 it makes up for
    teaching_number: int | None = None  # 1-based among teaching days
    provisional: bool = False  # its year has no official holiday arrangement yet (暂定; kebao.holidaydata)

    @property
    def label(self) -> str:
        """报到, 国庆节, 周末, 教学日 (调休 for a working weekend)…"""
        if self.kind == "holiday" and self.holiday:
            return self.holiday
        if self.kind == "teaching" and self.holiday:
            return f"调休（{self.holiday}）"
        return DAY_KIND_NAMES[self.kind]


@dataclass(frozen=True)
class SlotSpec:
    """A half-day slot: its key (morning, afternoon, evening; labels.SLOTS has its words), start, most 学时."""

    key: str
    start: int  # minutes after midnight
    capacity: float


@dataclass(frozen=True)
class VisitPlacement:
    """A site visit on a teaching day: the slots it takes and the 学时 in each."""

    module: str
    day: int  # index into Layout.teaching
    slots: tuple[int, ...]
    hours: tuple[float, ...]
    placed: str  # as the programme says: "first", "last" or a teaching-day number


@dataclass(frozen=True)
class Layout:
    """The empty timetable: teaching days, their slots, and the site visits already in it."""

    days: tuple[CalendarDay, ...]
    teaching: tuple[dt.date, ...]
    slots: tuple[SlotSpec, ...]
    max_hours_per_day: float
    visits: tuple[VisitPlacement, ...]

    def reserved(self, day: int, slot: int) -> VisitPlacement | None:
        """The site visit holding ``slot`` on teaching day ``day``, if any."""
        for visit in self.visits:
            if visit.day == day and slot in visit.slots:
                return visit
        return None

    def visit_hours(self, day: int) -> float:
        return sum(sum(v.hours) for v in self.visits if v.day == day)

    def free_hours(self, day: int) -> float:
        """学时 of teaching that teaching day ``day`` still holds beside its site visits."""
        room = self.max_hours_per_day - self.visit_hours(day)
        slots = sum(s.capacity for i, s in enumerate(self.slots) if self.reserved(day, i) is None)
        return max(0.0, min(room, slots))

    @property
    def capacity(self) -> float:
        """Most 学时 the days hold: site visits plus the free room of every teaching day."""
        return sum(sum(v.hours) for v in self.visits) + sum(self.free_hours(d) for d in range(len(self.teaching)))

    @property
    def session_hours(self) -> float:
        """The longest session: a module longer than this is split into parts, any other is kept whole."""
        return max(s.capacity for s in self.slots)

    def leftover(self, modules: Iterable[float]) -> float:
        """学时 of ``modules`` (besides the site visits) that do not fit *whole*; 0 when all do.

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
        for day in range(len(self.teaching)):
            day_room = self.free_hours(day)
            for slot, spec in enumerate(self.slots):
                if self.reserved(day, slot) is not None:
                    continue
                slot_room = spec.capacity
                if ongoing > EPSILON:
                    part = split_part(ongoing, spec.capacity)
                    if part <= min(slot_room, day_room) + EPSILON:
                        ongoing, slot_room, day_room = ongoing - part, slot_room - part, day_room - part
                        if ongoing > EPSILON:
                            continue
                while waiting:
                    room = min(slot_room, day_room)
                    index = next((i for i, h in enumerate(waiting) if h <= room + EPSILON or (
                        ongoing < EPSILON and h > spec.capacity + EPSILON
                        and split_part(h, spec.capacity) <= room + EPSILON)), None)
                    if index is None or room < EPSILON:
                        break
                    hours = waiting.pop(index)
                    if hours > room + EPSILON:
                        ongoing = hours - split_part(hours, spec.capacity)
                        hours -= ongoing
                    slot_room, day_room = slot_room - hours, day_room - hours
        return sum(waiting) + max(ongoing, 0.0)


def clock(minutes: int) -> str:
    """'HH:MM' for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def split_part(hours: float, capacity: float) -> float:
    """The next part of a module split evenly into as few parts as sessions allow (4 in 3-学时 sessions: 2+2)."""
    return ceil_half(hours / math.ceil(hours / capacity - EPSILON))


def floor_half(value: float) -> float:
    return math.floor(value * 2 + 1e-9) / 2


def ceil_half(value: float) -> float:
    return math.ceil(value * 2 - 1e-9) / 2


def holiday_detail(date: dt.date, holidays: HolidayCalendar | None = None) -> tuple[bool, str | None]:
    """(is a day off, holiday name): from ``holidays`` (curricula/holidays.yml) for the years it lists,
    else from chinese_calendar; a later year neither has from the statutory holidays alone, provisionally;
    a year none covers is a PlanError (:mod:`kebao.holidaydata`)."""
    return holidaydata.day_off(date, holidays)


def is_statutory_holiday(date: dt.date, holidays: HolidayCalendar | None = None) -> bool:
    """True on a statutory public holiday (not on an ordinary weekend)."""
    off, name = holiday_detail(date, holidays)
    return off and name is not None


def is_teaching_day(date: dt.date, weekends: bool, holidays: HolidayCalendar | None = None) -> bool:
    """Teaching never falls on a statutory holiday; without weekends only on workdays (调休 included)."""
    off, name = holiday_detail(date, holidays)
    if off and name is not None:
        return False
    return weekends or not off


def programme_days(start: dt.date, days: int, arrival: bool, departure: bool,
                   weekends: bool, holidays: HolidayCalendar | None = None) -> tuple[CalendarDay, ...]:
    """Every calendar day from ``start``; travel days and days off do not teach."""
    result: list[CalendarDay] = []
    teaching = 0
    for number in range(1, days + 1):
        date = start + dt.timedelta(days=number - 1)
        off, name = holiday_detail(date, holidays)
        holiday = HOLIDAY_NAMES.get(name, name) if name else None
        provisional = holidaydata.is_provisional(date.year, holidays)
        kind: DayKind
        if arrival and number == 1:
            kind = "arrival"
        elif departure and number == days:
            kind = "departure"
        elif off and name is not None:
            kind = "holiday"
        elif off and not weekends:
            kind = "weekend"
        else:
            kind = "teaching"
        if kind == "teaching":
            teaching += 1
            result.append(CalendarDay(date, number, kind, holiday, teaching, provisional))
        else:
            result.append(CalendarDay(date, number, kind, holiday, provisional=provisional))
    return tuple(result)


def slot_specs(programme: Programme, audience: Audience, evenings: bool) -> tuple[SlotSpec, ...]:
    """The day's half-day slots; each holds what the audience allows and what fits before the next."""
    starts = programme.session_starts
    keys = ["morning", "afternoon"] + (["evening"] if evenings else [])
    minutes = [_minutes(getattr(starts, key)) for key in keys]
    specs = []
    for index, key in enumerate(keys):
        following = minutes[index + 1] if index + 1 < len(keys) else MINUTES_IN_DAY
        if following <= minutes[index]:
            raise PlanError(f"programme '{programme.id}': session_starts.{keys[index + 1]} "
                            f"({clock(following)}) is not after {key} ({clock(minutes[index])})",
                            "give the 上午, 下午 and 晚上 start times in order")
        fits = floor_half((following - minutes[index]) / programme.minutes_per_hour)
        capacity = min(audience.max_hours_per_session, fits)
        if capacity <= 0:
            raise PlanError(f"programme '{programme.id}': the {SLOTS[key][0]} session has no room before "
                            f"{clock(following)}", "move the session start times apart")
        specs.append(SlotSpec(key, minutes[index], capacity))
    return tuple(specs)


def build_layout(catalog: Catalog, programme: Programme, audience: Audience, start: dt.date, days: int,
                 weekends: bool, evenings: bool) -> Layout:
    """The programme's days from ``start``, its slots, and its site visits placed; PlanError if impossible."""
    calendar = programme_days(start, days, programme.travel.arrival, programme.travel.departure, weekends,
                              catalog.holidays)
    teaching = tuple(d.date for d in calendar if d.kind == "teaching")
    if not teaching:
        off = ", ".join(f"{d.date.isoformat()} {d.label}" for d in calendar)
        raise PlanError(f"programme '{programme.id}' has no teaching day in {days} day(s) from "
                        f"{start.isoformat()} ({off})",
                        f"{_more_days(catalog, programme, start, days, weekends, 1)} or choose another start date")
    slots = slot_specs(programme, audience, evenings)
    late = max((v for v in programme.site_visits if isinstance(v.day, int)), key=lambda v: int(v.day), default=None)
    if late is not None and int(late.day) > len(teaching):
        raise PlanError(f"programme '{programme.id}' places site visit '{late.module}' on teaching day {late.day}, "
                        f"but there are only {len(teaching)} teaching day(s)",
                        f"{_more_days(catalog, programme, start, days, weekends, int(late.day))}, or place it on "
                        "'last' or "
                        "an earlier day")
    visits = _place_visits(catalog, programme, audience, teaching, slots, programme.site_visits)
    return Layout(calendar, teaching, slots, audience.max_hours_per_day, visits)


def days_needed(catalog: Catalog, programme: Programme, audience: Audience, start: dt.date, days: int,
                weekends: bool, evenings: bool, fits: Callable[[Layout], bool]) -> int | None:
    """The fewest days from ``start``, more than ``days`` (at most 366), whose layout ``fits``; None if none does."""
    for count in range(days + 1, 367):
        try:
            layout = build_layout(catalog, programme, audience, start, count, weekends, evenings)
        except PlanError:
            try:
                holiday_detail(start + dt.timedelta(days=count - 1), catalog.holidays)
            except PlanError:
                return None  # past the holiday table: no answer
            continue  # e.g. a site visit on a teaching day that does not exist yet
        if fits(layout):
            return count
    return None


def _more_days(catalog: Catalog, programme: Programme, start: dt.date, days: int, weekends: bool,
               teaching: int) -> str:
    """'add days: N in all (--set days=N)' for the fewest days with ``teaching`` teaching days."""
    travel = programme.travel
    for count in range(days + 1, 367):
        try:
            found = programme_days(start, count, travel.arrival, travel.departure, weekends, catalog.holidays)
        except PlanError:
            break
        if sum(1 for d in found if d.kind == "teaching") >= teaching:
            return f"add days: {count} in all (--set days={count})"
    return "add days (--set days=…)"


def _place_visits(catalog: Catalog, programme: Programme, audience: Audience, teaching: Sequence[dt.date],
                  slots: Sequence[SlotSpec], site_visits: Sequence[SiteVisit]) -> tuple[VisitPlacement, ...]:
    taken: dict[tuple[int, int], str] = {}
    placements = []
    for visit in site_visits:
        module = catalog.modules[visit.module]
        day = _visit_day(programme, visit, len(teaching))
        whole = module.site is not None and module.site.duration == "whole-day"
        wanted = [(0, 1)] if whole else [(0,), (1,)]
        chosen = next((w for w in wanted if all((day, s) not in taken for s in w)), None)
        if chosen is None:
            other = next(taken[(day, s)] for w in wanted for s in w if (day, s) in taken)
            raise PlanError(f"site visit '{module.id}' and '{other}' both want teaching day {day + 1} "
                            f"({teaching[day].isoformat()})", "place one of them on another day")
        caps = [slots[s].capacity for s in chosen]
        hours = _split_visit(module.hours, caps)
        if hours is None or module.hours > audience.max_hours_per_day:
            length = "a whole day" if whole else "a half day"
            most = min(sum(caps), audience.max_hours_per_day)
            raise PlanError(f"site visit '{module.id}' takes {module.hours:g} 学时 but {length} holds at most "
                            f"{most:g} for audience '{audience.id}'",
                            "shorten the visit's hours" + ("" if whole else " or make it a whole-day visit"))
        for s in chosen:
            taken[(day, s)] = module.id
        placements.append(VisitPlacement(module.id, day, tuple(chosen), hours, str(visit.day)))
    return tuple(placements)


def _visit_day(programme: Programme, visit: SiteVisit, count: int) -> int:
    if visit.day == "first":
        return 0
    if visit.day == "last":
        return count - 1
    if visit.day > count:
        raise PlanError(f"programme '{programme.id}' places site visit '{visit.module}' on teaching day "
                        f"{visit.day}, but there are only {count} teaching day(s)",
                        "place it on 'last' or an earlier day, or add days")
    return visit.day - 1


def _split_visit(hours: float, caps: Sequence[float]) -> tuple[float, ...] | None:
    """学时 per slot of a visit: evenly over its slots (morning first), or None if it does not fit."""
    if len(caps) == 1:
        return (hours,) if hours <= caps[0] else None
    first = min(caps[0], ceil_half(hours / 2))
    second = hours - first
    return (first, second) if second <= caps[1] else None


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
