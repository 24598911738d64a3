"""Placing what a programme fixes before any module is chosen: events and modules pinned to a day.

:func:`build_layout` turns a programme's calendar days (:mod:`kebao.calendar`), its day's sessions
(:func:`kebao.layout.slot_specs`), its events (报到, 开班式, 结业式… at a session's start or end, or at a
clock time) and its site visits and pinned modules (each with its session(s) to itself) into a
:class:`~kebao.layout.Layout`. Events go first, because they shorten the sessions the modules then fill.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Literal

from .calendar import CalendarDay, programme_days
from .catalog import Catalog
from .errors import PlanError
from .labels import SLOTS, WEEKDAY_WORDS, Word
from .layout import (
    EPSILON,
    MINUTES_IN_DAY,
    Clock,
    EventSlot,
    Layout,
    Reservation,
    ceil_half,
    clock,
    minutes_of,
    slot_specs,
)
from .messages import Message, say
from .model import WEEKDAYS, Audience, Event, Programme
from .plan import number


def build_layout(catalog: Catalog, programme: Programme, audience: Audience, start: dt.date, days: int,
                 weekends: bool, evenings: bool, dates: Sequence[dt.date] = ()) -> Layout:
    """The programme's days from ``start`` (or the cohort's ``dates``), its sessions, events and placed
    modules; PlanError if impossible."""
    calendar = _days(catalog, programme, start, days, weekends, dates)
    teaching = tuple(d.date for d in calendar if d.kind == "teaching")
    if not teaching:
        off = ", ".join(f"{d.date.isoformat()} {d.label}" for d in calendar)
        raise PlanError(say("error-no-teaching-day", programme=programme.id, days=days, start=start.isoformat(),
                            off=off), [_more_days(catalog, programme, start, days, weekends, 1),
                                       say("advice-other-start-plain")])
    clock_ = Clock(programme.minutes_per_hour, programme.day.break_minutes if programme.day else 10)
    slots = slot_specs(programme, audience, evenings, clock_)
    late = max((v for v in programme.site_visits if isinstance(v.day, int)), key=lambda v: int(v.day), default=None)
    if late is not None and int(late.day) > len(teaching):
        raise PlanError(say("error-too-few-days-for", programme=programme.id, module=late.module, day=late.day,
                            teaching=len(teaching)),
                        [_more_days(catalog, programme, start, days, weekends, int(late.day)),
                         say("advice-earlier-day")])
    empty = Layout(calendar, teaching, slots, audience.max_hours_per_day, (), clock_)
    events, margins = _place_events(programme, empty)
    with_events = Layout(calendar, teaching, slots, audience.max_hours_per_day, (), clock_, events, margins)
    visits = _place_modules(catalog, programme, audience, with_events)
    return Layout(calendar, teaching, slots, audience.max_hours_per_day, visits, clock_, events, margins)


def _days(catalog: Catalog, programme: Programme, start: dt.date, days: int, weekends: bool,
          dates: Sequence[dt.date] = ()) -> tuple[CalendarDay, ...]:
    travel = programme.travel
    venues = {venue.id: venue.closed for venue in programme.venues}
    closed = {phase.id: venues[phase.venue] for phase in programme.phases if phase.venue in venues}
    return programme_days(start, days, travel.arrival, travel.departure, weekends, catalog.holidays,
                          rhythm=programme.calendar, dates=dates, region=programme.holiday_calendar,
                          phases=programme.phases, closed=closed)


def days_needed(catalog: Catalog, programme: Programme, audience: Audience, start: dt.date, days: int,
                weekends: bool, evenings: bool, fits: Callable[[Layout], bool],
                dates: Sequence[dt.date] = ()) -> int | None:
    """The fewest days (or meetings) from ``start``, more than ``days`` (at most 366), whose layout ``fits``;
    None if none does, or if the cohort has its own ``dates`` or the programme phases (each has its days)."""
    if dates or programme.phases:
        return None
    for count in range(days + 1, 367):
        try:
            layout = build_layout(catalog, programme, audience, start, count, weekends, evenings)
        except PlanError:
            try:
                _days(catalog, programme, start, count, weekends)
            except PlanError:
                return None  # past the holiday table: no answer
            continue  # e.g. a site visit on a teaching day that does not exist yet
        if fits(layout):
            return count
    return None


def _more_days(catalog: Catalog, programme: Programme, start: dt.date, days: int, weekends: bool,
               teaching: int) -> Message:
    """'add days: N in all' for the fewest days with ``teaching`` teaching days."""
    for count in range(days + 1, 367):
        try:
            found = _days(catalog, programme, start, count, weekends)
        except PlanError:
            break
        if sum(1 for d in found if d.kind == "teaching") >= teaching:
            return say("advice-more-days", days=count)
    return say("advice-some-days")


# -- events --------------------------------------------------------------------------------------------


Margins = dict[tuple[int, int], tuple[int, int]]


def _place_events(programme: Programme, layout: Layout) -> tuple[tuple[EventSlot, ...], Margins]:
    """Every event on its date and in its session; the minutes they take at sessions' starts and ends."""
    margins: Margins = {}
    placed: list[EventSlot] = []
    keys = [spec.key for spec in layout.slots]
    for event in programme.timetable_events:
        date, day = _event_day(programme, event, layout)
        key = event.slot or _default_slot(event, day, layout)
        if key not in keys:
            raise PlanError(say("error-event-no-session", programme=programme.id, event=event.key,
                                slot=Word(*SLOTS[key])), [say("advice-allow-evenings")])
        slot = keys.index(key)
        spec = layout.slots[slot]
        hours = round(event.minutes / programme.minutes_per_hour * 2) / 2 if event.counts else 0.0
        lead, tail = margins.get((day, slot), (0, 0)) if day is not None else (0, 0)
        if event.time is not None:
            begin = minutes_of(event.time)
            at: Literal["start", "end", "time"] = "time"
            if day is not None:  # on a teaching day an event may not cut the session's teaching in two
                if begin == spec.start + lead:
                    at = "start"
                elif begin + event.minutes == spec.end - tail:
                    at = "end"
                elif spec.start <= begin < spec.end:
                    raise PlanError(
                        say("error-event-cuts", programme=programme.id, event=event.key, time=event.time,
                            slot=Word(*SLOTS[key]), date=date.isoformat()),
                        [say("advice-event-at-edge", start=clock(spec.start + lead), end=clock(spec.end - tail))])
        else:
            at = event.at or ("end" if event.kind == "closing" else "start")
            begin = spec.end - tail - event.minutes if at == "end" else spec.start + lead
        if day is not None and at != "time":
            lead, tail = (lead + event.minutes, tail) if at == "start" else (lead, tail + event.minutes)
            margins[(day, slot)] = (lead, tail)
            if layout.clock.hours_in(spec.end - spec.start - lead - tail) < 0:
                raise PlanError(say("error-events-fill", programme=programme.id, slot=Word(*SLOTS[key]),
                                    date=date.isoformat()), [say("advice-move-event")])
        if begin < 0 or begin + event.minutes > MINUTES_IN_DAY:
            raise PlanError(say("error-event-too-long", programme=programme.id, event=event.key,
                                minutes=event.minutes, date=date.isoformat()), [say("advice-shorten-event")])
        placed.append(EventSlot(event.key, date, key, begin, begin + event.minutes, hours, day, at))
    if any(lead + tail > layout.slots[slot].end - layout.slots[slot].start for (_d, slot), (lead, tail)
           in margins.items()):
        raise PlanError(say("error-events-fill", programme=programme.id, slot=Word("时段", "session"), date=""),
                        [say("advice-move-event")])
    return tuple(sorted(placed, key=lambda e: (e.date, e.start))), margins


def _event_day(programme: Programme, event: Event, layout: Layout) -> tuple[dt.date, int | None]:
    """The date of an event and its teaching-day index (None on the arrival day)."""
    wanted = event.day
    if wanted is None:  # the defaults: check-in on the arrival day if there is one, opening first, closing last
        arrival = layout.days[0].kind == "arrival"
        wanted = "arrival" if event.kind == "check-in" and arrival else "last" if event.kind == "closing" else "first"
    if wanted == "arrival":
        if layout.days[0].kind != "arrival":
            raise PlanError(say("error-no-arrival-day", programme=programme.id, event=event.key),
                            [say("advice-arrival")])
        return layout.days[0].date, None
    count = len(layout.teaching)
    index = 0 if wanted == "first" else count - 1 if wanted == "last" else int(wanted) - 1
    if not 0 <= index < count:
        raise PlanError(say("error-event-day", programme=programme.id, event=event.key, day=wanted, teaching=count),
                        [say("advice-earlier-day"), say("advice-some-days")])
    return layout.teaching[index], index


def _default_slot(event: Event, day: int | None, layout: Layout) -> str:
    if day is None:
        return "afternoon"  # arrival: check-in in the afternoon
    if event.kind == "closing":
        return [spec.key for spec in layout.slots if spec.daytime][-1]
    return "morning"


# -- modules placed on a day ----------------------------------------------------------------------------


def _place_modules(catalog: Catalog, programme: Programme, audience: Audience,
                   layout: Layout) -> tuple[Reservation, ...]:
    """Site visits (schema 1) and modules pinned to a day, weekday or date (schema 2), each in its session(s)."""
    taken: dict[tuple[int, int], str] = {}
    placements: list[Reservation] = []
    for visit in programme.site_visits:
        module = catalog.modules[visit.module]
        day = _teaching_day(programme, visit.module, visit.day, len(layout.teaching))
        whole = module.site is not None and module.site.duration == "whole-day"
        keys = [spec.key for spec in layout.slots]
        half = [(keys.index(visit.slot),)] if visit.slot in keys else [(0,), (1,)]
        placements.append(_reserve(programme, audience, layout, taken, module.id, module.hours, day,
                                   [(0, 1)] if whole else half, str(visit.day), "site-visit", 0.0,
                                   say("length-whole-day" if whole else "length-half-day")))
    for pin in programme.placements:
        if not pin.pinned:
            continue
        module = catalog.modules[pin.module]
        if pin.date is not None:
            if pin.date not in layout.teaching:
                raise PlanError(say("error-pin-date", programme=programme.id, module=module.id,
                                    date=pin.date.isoformat()), [say("advice-pin-teaching-day")])
            day, placed = layout.teaching.index(pin.date), pin.date.isoformat()
        elif pin.weekday is not None:
            day = next((i for i, d in enumerate(layout.teaching) if WEEKDAYS[d.weekday()] == pin.weekday), -1)
            if day < 0:
                raise PlanError(say("error-pin-weekday", programme=programme.id, module=module.id,
                                    weekday=WEEKDAY_WORDS[pin.weekday]), [say("advice-pin-other-weekday")])
            placed = pin.weekday
        else:
            assert pin.day is not None
            day, placed = _teaching_day(programme, module.id, pin.day, len(layout.teaching)), str(pin.day)
        slots = [index for index, spec in enumerate(layout.slots) if spec.daytime != module.evening]
        if pin.slot is not None:
            keys = [layout.slots[i].key for i in slots]
            if pin.slot not in keys:
                raise PlanError(say("error-pin-slot", programme=programme.id, module=module.id,
                                    slot=Word(*SLOTS[pin.slot])),
                                [say("advice-pin-slot") if pin.slot == "evening" or module.evening
                                 else say("advice-allow-evenings")])
            slots = slots[keys.index(pin.slot):]
        offset = 0.0
        if pin.time is not None:
            slots, offset = _at_time(programme, module.id, pin.time, layout, day, slots)
        starts = range(1) if pin.slot is not None or pin.time is not None else range(len(slots))
        choices = [tuple(slots[first:last]) for first in starts for last in range(first + 1, len(slots) + 1)]
        placements.append(_reserve(programme, audience, layout, taken, module.id, module.hours, day, choices,
                                   placed, "pinned", offset,
                                   say("length-teaching-day", day=day + 1, date=layout.teaching[day].isoformat())))
    return tuple(placements)


def _teaching_day(programme: Programme, module: str, day: str | int, count: int) -> int:
    if day == "first":
        return 0
    if day == "last":
        return count - 1
    if int(day) > count:
        raise PlanError(say("error-too-few-days-for", programme=programme.id, module=module, day=day,
                            teaching=count), [say("advice-earlier-day"), say("advice-some-days")])
    return int(day) - 1


def _at_time(programme: Programme, module: str, time: str, layout: Layout, day: int,
             slots: Sequence[int]) -> tuple[list[int], float]:
    """The session that holds ``time`` on ``day``, and the 学时 offset at which a module starting then begins."""
    begin = minutes_of(time)
    for position, slot in enumerate(slots):
        spec = layout.slots[slot]
        if spec.start <= begin < spec.end:
            teaching = layout.teaching_start(day, slot)
            offset = 0.0
            while teaching + layout.clock.start(offset) < begin and offset < 24:
                offset += 0.5
            if teaching + layout.clock.start(offset) == begin:
                return list(slots[position:]), offset
            starts = ", ".join(clock(teaching + layout.clock.start(o / 2)) for o in range(0, 8))
            raise PlanError(say("error-pin-time", programme=programme.id, module=module, time=time, starts=starts),
                            [say("advice-pin-times")])
    raise PlanError(say("error-pin-no-session", programme=programme.id, module=module, time=time),
                    [say("advice-pin-inside")])


def _reserve(programme: Programme, audience: Audience, layout: Layout, taken: dict[tuple[int, int], str],
             module: str, hours: float, day: int, choices: Sequence[tuple[int, ...]], placed: str,
             kind: Literal["site-visit", "pinned"], offset: float, length: Message) -> Reservation:
    """The first of ``choices`` (sessions on ``day``) that is free and holds the module; PlanError otherwise."""
    free = [choice for choice in choices if all((day, slot) not in taken for slot in choice)]
    if not free:
        other = next(taken[(day, slot)] for choice in choices for slot in choice if (day, slot) in taken)
        raise PlanError(say("error-both-want", module=module, other=other, day=day + 1,
                            date=layout.teaching[day].isoformat()), [say("advice-place-elsewhere")])
    daily = audience.max_hours_per_day if layout.slots[free[0][0]].daytime else math.inf
    for choice in free:
        caps = [layout.capacity_at(day, slot) - (offset if index == 0 else 0.0) for index, slot in enumerate(choice)]
        split = _split(hours, caps)
        if split is not None and hours <= daily + EPSILON:
            for slot in choice:
                taken[(day, slot)] = module
            return Reservation(module, day, choice, split, placed, kind, offset)
    most = min(sum(layout.capacity_at(day, slot) for slot in free[-1]) - offset, daily)
    code = "error-site-visit-too-long" if kind == "site-visit" else "error-pinned-too-long"
    whole = length.code == "length-whole-day"
    raise PlanError(say(code, module=module, hours=number(hours), length=length, most=number(most),
                        audience=audience.id),
                    [say("advice-shorten-visit", whole="" if whole else say("advice-or-whole-day"))
                     if kind == "site-visit" else say("advice-shorten-or-move")])


def _split(hours: float, caps: Sequence[float]) -> tuple[float, ...] | None:
    """学时 per session: evenly over its sessions (the first one first), or None if they do not hold it."""
    if len(caps) == 1:
        return (hours,) if hours <= caps[0] + EPSILON else None
    first = min(caps[0], ceil_half(hours / len(caps)))
    rest = _split(hours - first, caps[1:])
    return None if rest is None else (first, *rest)
