"""Calendar rules: which days teach.

Pure functions over dates. Chinese statutory holidays and the working weekends
that make up for them (调休) come from official data (``curricula/holidays.yml``
for the years it lists, else the maintained ``chinese_calendar`` table); a later
year that neither covers is planned provisionally (暂定) from the statutory
holidays alone, and each :class:`CalendarDay` says so; a year nothing covers is
a :class:`PlanError` (:mod:`kebao.holidaydata` decides). :func:`holiday_detail`
is the one function every date goes through; :func:`programme_days` gives a
programme's calendar days (travel, holidays, weekends, teaching). What a
teaching day holds is :mod:`kebao.layout`'s business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from . import holidaydata
from .labels import DAY_KINDS, HOLIDAYS, Language
from .model import HolidayCalendar

DayKind = Literal["teaching", "arrival", "departure", "holiday", "weekend"]

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
