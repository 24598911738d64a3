"""Which dates are days off, and where that comes from: official data, or the statutory rule (暂定).

:func:`kebao.calendar.holiday_detail`, the one function every date goes through,
asks :func:`day_off`. A year's days off come from official data when there is
any: the State Council's arrangement copied into ``curricula/holidays.yml`` for
the years it lists, else the ``chinesecalendar`` package (2004–2026 in 1.11).
Offices plan the next spring's cohorts before the State Council publishes that
year's arrangement, so a *later* year that neither covers is planned from the
全国年节及纪念日放假办法 itself (as revised in 2024, in force from 2025), which the
``holidays`` package computes, lunar festivals included, up to its last year
(2100):

* 元旦 1 day (1 January); 春节 4 days (除夕 to 初三); 清明节 1 day; 劳动节 2 days
  (1–2 May); 端午节 1 day; 中秋节 1 day; 国庆节 3 days (1–3 October);
* a statutory day that falls on a Saturday or Sunday is made up on the next
  working day (补假, the 办法's rule for the holidays of all citizens).

The days off of such a year are these and the weekends, and no weekend is
worked. What only the State Council's notice says is left out, and cannot be
guessed: the 调休 that joins holidays and weekends into longer breaks (more
weekdays off, weekend days worked instead; 2026's 春节 ran nine days, 15–23
February, with two Saturdays worked). A plan on such a year is therefore
*provisional*: every output says 暂定, ``--strict-calendar`` and ``kebao check``
refuse it (:func:`require_official`), and a pack rebuilds when official data
arrives, because where each of its years comes from is part of its cache key
(:func:`sources`). Years before 2004 and after 2100 are a PlanError.

Measured with holidays 0.109: for 2025 and 2026 every day the rule gives is a
day off in chinesecalendar (which adds the 调休 days); 2027 gives 元旦 1 Jan,
春节 5–8 Feb with 补假 9–10 Feb, 清明节 5 Apr, 劳动节 1–2 May with 补假 3–4 May,
端午节 9 Jun, 中秋节 15 Sep, 国庆节 1–3 Oct with 补假 4–5 Oct. Only the package's
statutory names are kept: days off it lists from a published notice (调休, e.g.
"休息日（由 2026-01-04 调休）") are dropped, so a provisional year follows the rule
above whatever the package's version knows.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import chinese_calendar

from .errors import PlanError
from .labels import Language
from .messages import say
from .model import HolidayCalendar

if TYPE_CHECKING:  # pragma: no cover
    from .calendar import CalendarDay

FILE = "curricula/holidays.yml"
PROVISIONAL = "provisional"  # how source() names a year planned from the statutory holidays alone
FIRST_STATUTORY_YEAR = 2025  # the 2024 revision's first year: no provisional year before it
# The statutory holidays of the 2024 revision, by the names the holidays package gives them in zh_CN.
STATUTORY = {"元旦": "元旦", "农历除夕": "春节", "春节": "春节", "清明节": "清明节", "劳动节": "劳动节",
             "端午节": "端午节", "中秋节": "中秋节", "国庆节": "国庆节"}
_NOTE = re.compile(r"（[^）]*）$")  # （补假）, （推定）, （补假，推定）


def day_off(date: dt.date, holidays: HolidayCalendar | None = None, region: str = "CN"
            ) -> tuple[bool, str | None]:
    """(is a day off, holiday name) of ``date``: see the module docstring; PlanError for a year none covers.

    ``region`` is the programme's ``holiday_calendar``: CN (all of the above), none (weekends only), or
    a country code, whose public holidays and weekends the holidays package gives (no 调休).
    """
    if region != "CN":
        return _elsewhere(date, region)
    if holidays is not None:
        years, off_days, workdays = _arrangements(holidays)
        if date.year in years:
            if date in off_days:
                return True, off_days[date]
            return date not in workdays and date.weekday() >= 5, None
    first, last = _chinesecalendar_years()
    if first <= date.year <= last:
        return _chinesecalendar_day(date)
    statutory = statutory_days(date.year) if date.year > last else None
    if statutory is None:
        raise _no_data(date, first, last)
    name = statutory.get(date)
    return name is not None or date.weekday() >= 5, name


def is_provisional(year: int, holidays: HolidayCalendar | None = None, region: str = "CN") -> bool:
    """Whether ``year`` (one that :func:`day_off` covers) is planned from the statutory holidays alone."""
    official = holidays is not None and year in _arrangements(holidays)[0]
    return region == "CN" and not official and year > _chinesecalendar_years()[1]


def source(year: int, holidays: HolidayCalendar | None = None, region: str = "CN") -> str:
    """Where ``year``'s days off come from: 'curricula/holidays.yml', 'chinesecalendar 1.11.0',
    'provisional: statutory holidays (holidays 0.109)', 'HK (holidays 0.109)' or 'none (weekends only)';
    PlanError for a year none covers."""
    if region == "none":
        return "none (weekends only)"
    if region != "CN":
        return f"{region} (holidays {_holidays_version()})"
    day_off(dt.date(year, 1, 1), holidays)  # a PlanError for a year nothing covers
    if holidays is not None and year in _arrangements(holidays)[0]:
        return FILE
    if not is_provisional(year, holidays):
        return f"chinesecalendar {_chinesecalendar_version()}"
    return f"{PROVISIONAL}: statutory holidays (holidays {_holidays_version()})"


def sources(dates: Iterable[dt.date], holidays: HolidayCalendar | None = None, region: str = "CN"
            ) -> dict[str, str]:
    """:func:`source` of every year of ``dates``, by year: part of a pack's cache key, so that official
    data for a year rebuilds the packs planned provisionally on it (and a new chinesecalendar every pack)."""
    return {str(year): source(year, holidays, region) for year in sorted({d.year for d in dates})}


def provisional_years(days: Iterable[CalendarDay]) -> tuple[int, ...]:
    """The years of ``days`` that are planned provisionally (no official arrangement yet)."""
    return tuple(sorted({d.date.year for d in days if d.provisional}))


def require_official(days: Iterable[CalendarDay], holidays: HolidayCalendar | None = None,
                     language: Language = "zh") -> None:
    """A PlanError, said in ``language``, when any of ``days`` is provisional (``--strict-calendar``,
    ``kebao check``); else nothing."""
    years = provisional_years(days)
    if not years:
        return
    first, last = _chinesecalendar_years()
    file = say("holidays-file-missing", file=FILE) if holidays is None else \
        say("holidays-file-lacks", file=FILE, years=years)
    raise PlanError(say("error-provisional", years=years, version=_chinesecalendar_version(), first=first, last=last,
                        file=file), [say("advice-copy-notice", year=years[0], years=years, file=FILE)],
                    language=language)


@functools.cache
def statutory_days(year: int) -> dict[dt.date, str] | None:
    """The statutory days off of ``year`` (补假 included) by date, with their Chinese names; None for a year
    the rule does not apply to (before 2025) or the holidays package cannot compute."""
    if year < FIRST_STATUTORY_YEAR or year > _statutory_last_year():
        return None
    from holidays.countries.china import China

    found: dict[dt.date, str] = {}
    for day, names in China(years=year, language="zh_CN").items():  # type: ignore[no-untyped-call]
        kept = []
        for name in names.split("; "):
            statutory = STATUTORY.get(_NOTE.sub("", name.strip()))
            if statutory is not None and statutory not in kept:
                kept.append(statutory)
        if kept:
            found[day] = "、".join(kept)
    if "春节" not in found.values():  # the lunar festivals are there, or the year is not computed
        return None
    return dict(sorted(found.items()))


def _elsewhere(date: dt.date, region: str) -> tuple[bool, str | None]:
    """Days off outside mainland China: weekends, and the country's public holidays unless ``region`` is none."""
    name = None if region == "none" else _country_holidays(region, date.year).get(date)
    return name is not None or date.weekday() >= 5, name


@functools.cache
def _country_holidays(region: str, year: int) -> dict[dt.date, str]:
    """A country's public holidays of ``year`` by date, named in Chinese where the holidays package can."""
    import holidays

    country = holidays.country_holidays(region, years=year)
    if "zh_CN" in getattr(country, "supported_languages", ()):
        country = holidays.country_holidays(region, years=year, language="zh_CN")
    return {day: str(name) for day, name in country.items()}


@functools.cache
def _arrangements(holidays: HolidayCalendar) -> tuple[frozenset[int], dict[dt.date, str], frozenset[dt.date]]:
    """curricula/holidays.yml as lookups: its years, its days off by date, its 调休 workdays."""
    off = {h.first + dt.timedelta(days=n): h.name
           for year in holidays.years for h in year.holidays for n in range((h.last - h.first).days + 1)}
    return (frozenset(year.year for year in holidays.years), off,
            frozenset(day for year in holidays.years for day in year.workdays))


@functools.lru_cache(maxsize=4096)
def _chinesecalendar_day(date: dt.date) -> tuple[bool, str | None]:
    """chinese_calendar's (is a day off, holiday name) of ``date``: its table is fixed, so asked once per date."""
    off, name = chinese_calendar.get_holiday_detail(date)
    return bool(off), name


@functools.cache
def _chinesecalendar_years() -> tuple[int, int]:
    """The first and last year chinese_calendar covers (as the package itself decides)."""
    years = sorted({d.year for d in chinese_calendar.constants.holidays})
    return years[0], years[-1]


def _chinesecalendar_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


def _holidays_version() -> str:
    from holidays.version import __version__

    return str(__version__)


def _statutory_last_year() -> int:
    from holidays.countries.china import China

    return int(China.end_year)


def _no_data(date: dt.date, first: int, last: int) -> PlanError:
    """The error for a date no holiday data covers, official or provisional."""
    version = _chinesecalendar_version()
    if date.year < first:
        return PlanError(say("error-no-holiday-data", version=version, year=date.year, date=date.isoformat()),
                         [say("advice-add-holiday-year", year=date.year, file=FILE),
                          say("advice-start-from", first=first, last=last)])
    end = _statutory_last_year()
    return PlanError(say("error-no-holiday-data-late", version=version, year=date.year, end=end,
                         date=date.isoformat()), [say("advice-end-by", end=end, first=first, last=last)])
