"""The content model: frozen, validated values that the engine passes around.

YAML reaches these models as plain text (see ``yamlio``); a field converts text
only when it is a number or a date. Unknown fields are errors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, model_validator

from .errors import Location

SCHEMA_VERSION = 1

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "clock$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
ID_MAX_LENGTH = 64


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a safe id (a slug usable as a file and URL name), or None."""
    if not value:
        return "an id cannot be empty"
    if len(value) > ID_MAX_LENGTH:
        return f"an id is at most {ID_MAX_LENGTH} characters"
    if not _SLUG.fullmatch(value):
        return ("an id uses only lowercase ASCII letters, digits and single hyphens "
                "between them (e.g. 'party-history-1')")
    if value in _WINDOWS_RESERVED:
        return f"'{value}' is a reserved file name on Windows"
    return None


def slugify_hint(value: str) -> str:
    """A suggestion for an invalid id."""
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return f"try '{slug}'" if slug and id_problem(slug) is None else "use a name like 'my-module'"


def _check_id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise ValueError(f"'{value}' is not a valid id: {problem}")
    return value


def _check_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError(f"'{value}' is not a colour; write it as '#RRGGBB', e.g. '#B71C1C'")
    return value.upper()


def _check_time(value: str) -> str:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError(f"'{value}' is not a time of day; write it as 'HH:MM', e.g. '08:30'")
    return f"{int(match[1]):02d}:{match[2]}"


def _check_timezone(value: str) -> str:
    import zoneinfo
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not a time zone; use an IANA name such as 'Asia/Shanghai'") from None
    return value


def _check_schema(value: int) -> int:
    if value > SCHEMA_VERSION:
        raise ValueError(f"this file is written for content schema {value}, but this kebao reads "
                         f"schema {SCHEMA_VERSION}; upgrade kebao")
    if value < 1:
        raise ValueError(f"schema versions start at 1; write 'schema: {SCHEMA_VERSION}'")
    return value


def _check_mix(mix: dict[str, float]) -> dict[str, float]:
    total = sum(mix.values())
    if abs(total - 100) > 0.01:
        raise ValueError(f"strand weights are percentages and must add up to 100, not {total:g}")
    return mix


Id = Annotated[str, AfterValidator(_check_id)]
Schema = Annotated[int, AfterValidator(_check_schema)]
Mix = Annotated[dict[Id, Annotated[float, Field(ge=0)]], Field(min_length=1), AfterValidator(_check_mix)]
Colour = Annotated[str, AfterValidator(_check_colour)]
TimeOfDay = Annotated[str, AfterValidator(_check_time)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
Text = Annotated[str, Field(min_length=1)]
Hours = Annotated[float, Field(gt=0, le=1000, multiple_of=0.5)]
Language = Literal["zh", "en"]
Format = Literal["lecture", "workshop", "case-study", "site-visit", "live-stream",
                 "practicum", "mentoring", "assessment", "seminar"]


class Model(BaseModel):
    """Base for every content model: frozen, strict about unknown fields, knows its source."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    _source: Location | None = PrivateAttr(default=None)

    @property
    def source(self) -> Location | None:
        """Where this object was defined (file, line), for error messages."""
        return self._source


class Entity(Model):
    """A model with an id: strands, audiences, modules, cases, programmes."""

    id: Id


class Title(Model):
    """A name in Simplified Chinese with its English form."""

    zh: Text
    en: Text

    def __str__(self) -> str:
        return self.zh

    def in_language(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


class Strand(Entity):
    """A theme that hours are counted against (党建, 产业, 技能…)."""

    name: Title
    colour: Colour
    description: str = ""


class Audience(Entity):
    """Who a programme is for, and the limits of their day."""

    name: Title
    max_hours_per_day: Hours = Field(description="most 学时 of teaching in one day")
    max_hours_per_session: Hours = Field(description="most 学时 in one half-day session")
    evenings: StrictBool = False
    weekends: StrictBool = False
    notes: str = ""

    @model_validator(mode="after")
    def _session_fits_day(self) -> Audience:
        if self.max_hours_per_session > self.max_hours_per_day:
            raise ValueError("max_hours_per_session cannot exceed max_hours_per_day")
        return self


class Site(Model):
    """Where a site visit goes and how long it takes."""

    location: Title
    duration: Literal["half-day", "whole-day"]


class Module(Entity):
    """A reusable unit of teaching; the file stem is its id, the body its session plan."""

    title: Title
    strand: Id
    format: Format
    hours: Hours
    audiences: list[Id] = Field(default_factory=list, description="empty: suits every audience")
    outcomes: list[Text] = Field(min_length=1)
    prerequisites: list[Id] = Field(default_factory=list)
    cases: list[Id] = Field(default_factory=list)
    materials: list[Text] = Field(default_factory=list)
    assessment: Text
    elective: StrictBool = False
    site: Site | None = None
    tags: list[Id] = Field(default_factory=list)
    schema_: Schema = Field(default=SCHEMA_VERSION, alias="schema")
    body: str = ""

    @model_validator(mode="after")
    def _site_matches_format(self) -> Module:
        if self.format == "site-visit" and self.site is None:
            raise ValueError("a site-visit module needs 'site' (location and duration)")
        if self.format != "site-visit" and self.site is not None:
            raise ValueError("only a site-visit module has 'site'; set format: site-visit or remove it")
        return self


class Case(Entity):
    """A case study (a MyST notebook); its body may analyse files in cases/data/.

    In the file these fields sit under ``kebao:`` in the front matter, next to the
    notebook metadata (``jupytext``, ``kernelspec``), because a notebook's own
    ``title`` must be a plain string.
    """

    title: Title
    sector: Text
    region: Text
    strands: list[Id] = Field(min_length=1)
    questions: list[Text] = Field(min_length=1)
    data: list[Text] = Field(default_factory=list, description="paths relative to cases/")
    illustrative: StrictBool = Field(description="true when figures are invented for teaching")
    summary: str = ""
    schema_: Schema = Field(default=SCHEMA_VERSION, alias="schema")
    body: str = ""


class PoolEntry(Model):
    """Where the modules beyond the required ones may come from: listed ids or a selector."""

    modules: list[Id] = Field(default_factory=list)
    strands: list[Id] = Field(default_factory=list)
    formats: list[Format] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> PoolEntry:
        if not self.modules and not self.strands:
            raise ValueError("a pool lists 'modules' or selects by 'strands'")
        return self


class SiteVisit(Model):
    """A site-visit module placed on a given teaching day."""

    module: Id
    day: Literal["first", "last"] | Annotated[int, Field(ge=1)] = "last"


class Travel(Model):
    """Whole days spent arriving and leaving (no teaching)."""

    arrival: StrictBool = False
    departure: StrictBool = False


class Outcome(Model):
    """A programme-level learning outcome and the modules that address it."""

    id: Id
    text: Text
    modules: list[Id] = Field(default_factory=list)


class SessionStarts(Model):
    """Start times of the half-day sessions (上午/下午/晚上)."""

    morning: TimeOfDay = "08:30"
    afternoon: TimeOfDay = "14:00"
    evening: TimeOfDay = "19:00"


class Cohort(Model):
    """One group of learners taking a programme; every field here is a pack parameter."""

    id: Id
    start: dt.date
    size: Annotated[int, Field(ge=1, le=10000)]
    venue: Text
    language: Language | None = None
    days: Annotated[int, Field(ge=1, le=366)] | None = None
    mix: Mix | None = None
    exclude: list[Id] = Field(default_factory=list)
    extra: list[Id] = Field(default_factory=list)


class Programme(Entity):
    """A customised course recipe: who, how long, which strands in what proportion."""

    title: Title
    partner: Title
    audience: Id
    language: Language = "zh"
    summary: str = ""
    days: Annotated[int, Field(ge=1, le=366)]
    total_hours: Hours | None = Field(default=None, description="学时 of teaching; default: what the days hold")
    minutes_per_hour: Annotated[int, Field(ge=10, le=120)] = 45
    hours_per_credit: Hours = 16
    weekends: StrictBool | None = Field(default=None, description="default: the audience's")
    evenings: StrictBool | None = Field(default=None, description="default: the audience's")
    timezone: TimeZone = "Asia/Shanghai"
    session_starts: SessionStarts = Field(default_factory=SessionStarts)
    mix: Mix
    required: list[Id] = Field(default_factory=list)
    pools: list[PoolEntry] = Field(default_factory=list)
    site_visits: list[SiteVisit] = Field(default_factory=list)
    travel: Travel = Field(default_factory=Travel)
    outcomes: list[Outcome] = Field(default_factory=list)
    assessment: str = ""
    cohort: Cohort
    schema_: Schema = Field(default=SCHEMA_VERSION, alias="schema")


class Holiday(Model):
    """The days off of one statutory holiday, as the State Council's notice lists them (放假)."""

    name: Text
    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.last < self.first:
            raise ValueError(f"'{self.name}' ends ({self.last}) before it starts ({self.first})")
        if (self.last - self.first).days > 14:
            raise ValueError(f"'{self.name}' is {(self.last - self.first).days + 1} days long; a statutory "
                             "holiday is at most a fortnight, check the dates")
        return self


class HolidayYear(Model):
    """One year's official arrangement: holidays and the weekend days worked instead (调休上班)."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    notice: str = ""  # the notice it was copied from, e.g. 国务院办公厅关于2027年部分节假日安排的通知
    holidays: tuple[Holiday, ...]
    workdays: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> HolidayYear:
        for day in self.workdays:
            if day.weekday() < 5:
                raise ValueError(f"workday {day} is a {day.strftime('%A')}; 调休 workdays are weekend days "
                                 "worked instead, check the date")
            clash = next((h.name for h in self.holidays if h.first <= day <= h.last), None)
            if clash:
                raise ValueError(f"workday {day} falls inside the holiday '{clash}'")
        return self


class HolidayCalendar(Model):
    """curricula/holidays.yml: official arrangements for years the chinesecalendar package does not cover yet."""

    years: tuple[HolidayYear, ...]
    schema_: Schema = Field(default=SCHEMA_VERSION, alias="schema")

    @model_validator(mode="after")
    def _unique(self) -> HolidayCalendar:
        years = [entry.year for entry in self.years]
        repeated = sorted({year for year in years if years.count(year) > 1})
        if repeated:
            raise ValueError(f"year {repeated[0]} is given more than once; keep one entry per year")
        return self
