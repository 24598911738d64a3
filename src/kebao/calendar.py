"""Calendar rules: which days teach.

Pure functions over dates. Chinese statutory holidays and the working weekends
that make up for them (调休) come from the maintained ``chinese_calendar``
table, or from ``curricula/holidays.yml`` for the years it lists; a year
neither covers is a :class:`PlanError`. :func:`holiday_detail` is the one
function every date goes through; :func:`programme_days` gives a programme's
calendar days (travel, holidays, weekends, teaching). What a teaching day holds
is :mod:`kebao.layout`'s business.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal

import chinese_calendar

from .errors import PlanError
from .model import HolidayCalendar

DayKind = Literal["teaching", "arrival", "departure", "holiday", "weekend"]

DAY_KIND_NAMES: dict[str, str] = {"teaching": "教学日", "arrival": "报到", "departure": "返程",
                                  "holiday": "法定节假日", "weekend": "周末"}
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class CalendarDay:
    """One calendar day of a programme, and why it teaches or not."""

    date: dt.date
    number: int  # 1-based day of the programme
    kind: DayKind
    holiday: str | None = None  # the statutory holiday (Chinese name), or the 调休 it makes up for
    teaching_number: int | None = None  # 1-based among teaching days

    @property
    def label(self) -> str:
        """报到, 国庆节, 周末, 教学日 (调休 for a working weekend)…"""
        if self.kind == "holiday" and self.holiday:
            return self.holiday
        if self.kind == "teaching" and self.holiday:
            return f"调休（{self.holiday}）"
        return DAY_KIND_NAMES[self.kind]


@functools.cache
def _arrangements(holidays: HolidayCalendar) -> tuple[frozenset[int], dict[dt.date, str], frozenset[dt.date]]:
    """curricula/holidays.yml as lookups: its years, its days off by date, its 调休 workdays."""
    off = {h.first + dt.timedelta(days=n): h.name
           for year in holidays.years for h in year.holidays for n in range((h.last - h.first).days + 1)}
    return (frozenset(year.year for year in holidays.years), off,
            frozenset(day for year in holidays.years for day in year.workdays))


def holiday_detail(date: dt.date, holidays: HolidayCalendar | None = None) -> tuple[bool, str | None]:
    """(is a day off, holiday name): from ``holidays`` (curricula/holidays.yml) for the years it lists,
    else from chinese_calendar; a year neither has is a PlanError."""
    if holidays is not None:
        years, off_days, workdays = _arrangements(holidays)
        if date.year in years:
            if date in off_days:
                return True, off_days[date]
            return date not in workdays and date.weekday() >= 5, None
    try:
        off, name = chinese_calendar.get_holiday_detail(date)
    except NotImplementedError:
        years_known = sorted(d.year for d in chinese_calendar.constants.holidays)
        first, last = years_known[0], years_known[-1]
        version = getattr(chinese_calendar, "__version__", "?")
        raise PlanError(
            f"the holiday calendar (chinesecalendar {version}) has no data for {date.year}, "
            f"so {date.isoformat()} cannot be scheduled",
            f"add {date.year}'s official holiday arrangement (国务院办公厅 notice) to curricula/holidays.yml "
            f"(docs/content.md), upgrade the package (pip install -U chinesecalendar), or choose a start "
            f"date that ends by {last}-12-31 (covered: {first}–{last})") from None
    return bool(off), name


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
            result.append(CalendarDay(date, number, kind, holiday, teaching))
        else:
            result.append(CalendarDay(date, number, kind, holiday))
    return tuple(result)
