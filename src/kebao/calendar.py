"""Calendar rules: which days teach.

Pure functions over dates. Chinese statutory holidays and the working weekends
that make up for them (调休) come from official data (``curricula/holidays.yml``
for the years it lists, else the maintained ``chinese_calendar`` table); a later
year that neither covers is planned provisionally (暂定) from the statutory
holidays alone, and each :class:`CalendarDay` says so; a year nothing covers is
a :class:`PlanError` (:mod:`kebao.holidaydata` decides). :func:`holiday_detail`
is the one function every date goes through; :func:`programme_days` gives a
programme's calendar days (travel, holidays, weekends, teaching): a block of
consecutive days, meetings on given weekdays every week or fortnight (a
programme's ``calendar``), or a cohort's own ``dates``. A programme on another
``holiday_calendar`` (a country code, or none) has that country's public
holidays and no 调休. What a teaching day holds is :mod:`kebao.layout`'s business.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from . import holidaydata
from .errors import PlanError
from .labels import DAY_KINDS, HOLIDAYS, SLOTS, WEEKDAY_WORDS, Language, Word
from .messages import Message, say
from .model import WEEKDAYS, HolidayCalendar, Phase, Rhythm

DayKind = Literal["teaching", "arrival", "departure", "holiday", "weekend", "closed"]

HOLIDAY_NAMES = {english: chinese for english, (chinese, _) in HOLIDAYS.items()}
HOLIDAY_WORDS = {chinese: english for chinese, english in HOLIDAYS.values()}


@dataclass(frozen=True)
class CalendarDay:
    """One calendar day of a programme, and why it teaches or not."""

    date: dt.date
    number: int  # 1-based day of the programme
    kind: DayKind
    holiday: str | None = None  # the statutory holiday (Chinese name), or the 调休 it makes up for
    teaching_number: int | None = None  # 1-based among teaching days
    provisional: bool = False  # its year has no official holiday arrangement yet (暂定; kebao.holidaydata)
    phase: str | None = None  # the programme phase it belongs to (schema 2 phases)

    @property
    def label(self) -> str:
        """报到, 国庆节, 周末, 教学日 (调休 for a working weekend)…"""
        if self.kind == "holiday" and self.holiday:
            return self.holiday
        if self.kind == "teaching" and self.holiday:
            return f"调休（{self.holiday}）"
        return DAY_KINDS[self.kind][0]

    def label_in(self, language: Language) -> str:
        """:attr:`label` in ``language``: a holiday some other source names keeps its own name."""
        if language == "zh":
            return self.label
        holiday = HOLIDAY_WORDS.get(self.holiday or "", self.holiday)
        if self.kind == "holiday" and holiday:
            return holiday
        if self.kind == "teaching" and holiday:
            return f"Working day (make-up for {holiday})"
        return DAY_KINDS[self.kind][1]


def holiday_detail(date: dt.date, holidays: HolidayCalendar | None = None, region: str = "CN"
                   ) -> tuple[bool, str | None]:
    """(is a day off, holiday name): from ``holidays`` (curricula/holidays.yml) for the years it lists,
    else from chinese_calendar; a later year neither has from the statutory holidays alone, provisionally;
    a year none covers is a PlanError (:mod:`kebao.holidaydata`). ``region``: see :func:`holidaydata.day_off`."""
    return holidaydata.day_off(date, holidays, region)


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


def programme_days(start: dt.date, days: int, arrival: bool, departure: bool, weekends: bool,
                   holidays: HolidayCalendar | None = None, *, rhythm: Rhythm | None = None,
                   dates: Sequence[dt.date] = (), region: str = "CN", phases: Sequence[Phase] = (),
                   closed: Mapping[str, Iterable[str]] | None = None) -> tuple[CalendarDay, ...]:
    """The programme's calendar days; travel days and days off do not teach.

    A block of ``days`` days from ``start``; with a ``rhythm``, ``days`` meetings on its weekdays every week
    or fortnight from ``start`` (a meeting on a day off is cancelled, shown as that day, and one more is
    held at the end); with ``dates``, those days; with ``phases``, the days of the phases that teach (each
    day knows its phase; a day on which the phase's venue is ``closed`` does not teach).
    """
    teaching = itertools.count(1)  # days are made in order, and every day made is kept

    def day(date: dt.date, number: int, kind: DayKind | None = None, phase: str | None = None,
            shut: bool = False) -> CalendarDay:
        off, name = holiday_detail(date, holidays, region)
        holiday = HOLIDAY_NAMES.get(name, name) if name else None
        if kind is None:
            kind = "holiday" if off and name is not None else "weekend" if off and not weekends else "teaching"
            if kind == "teaching" and shut:  # the phase's venue is closed that weekday
                kind = "closed"
        return CalendarDay(date, number, kind, holiday, next(teaching) if kind == "teaching" else None,
                           holidaydata.is_provisional(date.year, holidays, region), phase)

    if phases:
        found = _phased(start, phases, arrival, departure, day, closed or {})
    elif dates:
        found = [day(date, number) for number, date in enumerate(dates, 1)]
    elif rhythm is not None:
        found = _meetings(start, days, rhythm, day)
    else:
        found = [day(start + dt.timedelta(days=number - 1), number,
                     "arrival" if arrival and number == 1 else "departure" if departure and number == days else None)
                 for number in range(1, days + 1)]
    return tuple(found)


def phase_spans(start: dt.date, phases: Sequence[Phase]) -> list[tuple[Phase, dt.date, dt.date]]:
    """Each phase with its first and last date: one after another from ``start``, ``gap`` days apart."""
    spans: list[tuple[Phase, dt.date, dt.date]] = []
    first = start
    for phase in phases:
        if spans:
            first = spans[-1][2] + dt.timedelta(days=phase.gap + 1)
        spans.append((phase, first, first + dt.timedelta(days=phase.days - 1)))
    return spans


def _phased(start: dt.date, phases: Sequence[Phase], arrival: bool, departure: bool,
            day: Callable[..., CalendarDay], closed: Mapping[str, Iterable[str]]) -> list[CalendarDay]:
    """The days of the phases that teach; travel on the first and last of them."""
    spans = [span for span in phase_spans(start, phases) if span[0].teaches]
    found: list[CalendarDay] = []
    for index, (phase, first, last) in enumerate(spans):
        shut = {WEEKDAYS.index(w) for w in closed.get(phase.id, ())}
        for offset in range((last - first).days + 1):
            date = first + dt.timedelta(days=offset)
            kind: DayKind | None = None
            if arrival and index == 0 and offset == 0:
                kind = "arrival"
            elif departure and index == len(spans) - 1 and date == last:
                kind = "departure"
            found.append(day(date, len(found) + 1, kind, phase.id, date.weekday() in shut))
    return found


MEETINGS_WITHIN = 3 * 366  # days a rhythm may take to hold its meetings before it is refused


def _meetings(start: dt.date, meetings: int, rhythm: Rhythm,
              day: Callable[[dt.date, int], CalendarDay]) -> list[CalendarDay]:
    """The rhythm's days from ``start`` until ``meetings`` are held (cancelled ones listed too)."""
    weekdays = {WEEKDAYS.index(w) for w in rhythm.weekdays}
    every = 1 if rhythm.every == "week" else 2
    monday = start - dt.timedelta(days=start.weekday())
    found: list[CalendarDay] = []
    held = 0
    for offset in range(MEETINGS_WITHIN):
        date = start + dt.timedelta(days=offset)
        if date.weekday() not in weekdays or (date - monday).days // 7 % every:
            continue
        found.append(day(date, len(found) + 1))
        held += found[-1].kind == "teaching"
        if held == meetings:
            return found
    raise PlanError(say("error-rhythm-unheld", meetings=meetings, held=held, start=start.isoformat(),
                        weekdays=tuple(WEEKDAY_WORDS[w] for w in rhythm.weekdays)),
                    [say("advice-rhythm-weekdays")])


def span(start: dt.date, days: int, rhythm: Rhythm | None = None, dates: Sequence[dt.date] = ()) -> Message:
    """How the programme's days run, said in either language: '2026-12-06 起 10 天', '2026-09-09 起每两周
    星期三上午，共 8 次', or the cohort's dates."""
    if dates:
        return say("span-dates", dates=tuple(d.isoformat() for d in dates), days=len(dates))
    if rhythm is None:
        return say("span-block", start=start.isoformat(), days=days)
    sessions = tuple(Word(*SLOTS[key]) for key in rhythm.sessions)
    return say("span-rhythm", start=start.isoformat(), days=days,
               every=say("every-week" if rhythm.every == "week" else "every-fortnight"),
               weekdays=tuple(WEEKDAY_WORDS[w] for w in rhythm.weekdays),
               sessions=say("span-sessions", sessions=sessions) if sessions else "")
