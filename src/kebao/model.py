# size: the whole content schema in one module, as docs/content.md describes it, so no field hides elsewhere.
"""The content model: frozen, validated values that the engine passes around.

YAML reaches these models as plain text (see ``yamlio``); a field converts text
only when it is a number or a date. Unknown fields are errors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ContentRule, Location
from .labels import EVENTS, SLOTS, Word
from .labels import WEEKDAYS as WEEKDAY_NAMES
from .messages import Message, say

SCHEMA_VERSION = 2  # the newest content schema this kebao reads; a file without `schema:` is schema 1

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "clock$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
ID_MAX_LENGTH = 64


def id_rule(value: str) -> Message | None:
    """Why ``value`` is not a safe id (a slug usable as a file and URL name), as a message, or None."""
    if not value:
        return say("id-empty")
    if len(value) > ID_MAX_LENGTH:
        return say("id-too-long", most=ID_MAX_LENGTH)
    if not _SLUG.fullmatch(value):
        return say("id-not-slug")
    if value in _WINDOWS_RESERVED:
        return say("id-reserved", value=value)
    return None


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a safe id, in English (:func:`id_rule`'s sentence), or None."""
    rule = id_rule(value)
    return rule.render("en") if rule else None


def slug_advice(value: str) -> Message:
    """A suggestion for an invalid id: the slug it could be, or an example."""
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return say("advice-try-id", slug=slug) if slug and id_rule(slug) is None else say("advice-id-like")


def slugify_hint(value: str) -> str:
    """A suggestion for an invalid id, in English."""
    return slug_advice(value).render("en")


def _check_id(value: str) -> str:
    rule = id_rule(value)
    if rule:
        raise ContentRule(say("problem-bad-id", value=value, why=rule))
    return value


def _check_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ContentRule(say("rule-colour", value=value))
    return value.upper()


def _check_time(value: str) -> str:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ContentRule(say("rule-time", value=value))
    return f"{int(match[1]):02d}:{match[2]}"


def _check_timezone(value: str) -> str:
    import zoneinfo
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ContentRule(say("rule-timezone", value=value)) from None
    return value


def _check_unique(values: list[str]) -> list[str]:
    repeated = next((value for index, value in enumerate(values) if value in values[:index]), None)
    if repeated is not None:
        raise ContentRule(say("rule-listed-twice", value=repeated))
    return values


def _check_required(values: list[str]) -> list[str]:
    """Each required module once: a module taught more than once says so with ``repeat`` (never collapsed)."""
    repeated = next((value for index, value in enumerate(values) if value in values[:index]), None)
    if repeated is not None:
        raise ContentRule(say("rule-required-twice", module=repeated, times=values.count(repeated)))
    return values


def _check_schema(value: int) -> int:
    if value > SCHEMA_VERSION:
        raise ContentRule(say("rule-schema-too-new", schema=value, newest=SCHEMA_VERSION))
    if value < 1:
        raise ContentRule(say("rule-schema-too-old", newest=SCHEMA_VERSION))
    return value


def _check_region(value: str) -> str:
    """CN (mainland China: statutory holidays and 调休), none, or a country the holidays package knows."""
    if value in ("CN", "none"):
        return value
    import holidays

    if value.upper() not in holidays.list_supported_countries():
        raise ContentRule(say("rule-holiday-region", value=value))
    return value.upper()


def _check_mix(mix: dict[str, float]) -> dict[str, float]:
    total = sum(mix.values())
    if abs(total - 100) > 0.01:
        raise ContentRule(say("rule-mix-sum", total=f"{total:g}"))  # as written: 33.333, not 33.33
    return mix


_DAY_FIELDS = {"day": "教学日", "weekday": "星期几", "date": "日期"}  # a placement's day fields, in Chinese


def _both(names: list[str]) -> Word:
    """'day and weekday' (zh: 教学日和星期几): a placement's day fields given together."""
    return Word("和".join(_DAY_FIELDS[name] for name in names), " and ".join(names))


Id = Annotated[str, AfterValidator(_check_id)]
Schema = Annotated[int, AfterValidator(_check_schema)]
Mix = Annotated[dict[Id, Annotated[float, Field(ge=0)]], Field(min_length=1), AfterValidator(_check_mix)]
Colour = Annotated[str, AfterValidator(_check_colour)]
TimeOfDay = Annotated[str, AfterValidator(_check_time)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
HolidayRegion = Annotated[str, AfterValidator(_check_region)]
Text = Annotated[str, Field(min_length=1)]
Hours = Annotated[float, Field(gt=0, le=1000, multiple_of=0.5)]
Language = Literal["zh", "en"]
Format = Literal["lecture", "workshop", "case-study", "site-visit", "live-stream",
                 "practicum", "mentoring", "assessment", "seminar"]
Slot = Literal["morning", "afternoon", "evening"]
Delivery = Literal["face-to-face", "live-online", "self-paced"]
PhaseMode = Literal["face-to-face", "live-online", "self-paced", "at-work"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EventKind = Literal["check-in", "opening", "closing", "travel", "photo", "ceremony", "self-study", "meal", "other"]
UniqueIds = Annotated[list[Id], AfterValidator(_check_unique)]
UniqueWeekdays = Annotated[list[Weekday], AfterValidator(_check_unique)]
RequiredIds = Annotated[list[Id], AfterValidator(_check_required)]
Times = Annotated[int, Field(ge=2, le=100)]
TeachingDay = Literal["first", "last"] | Annotated[int, Field(ge=1)]


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
    large_print: StrictBool = Field(default=False, description="packs in large print (schema 2), e.g. for seniors")
    notes: str = ""

    @field_validator("large_print")
    @classmethod
    def _newer_field(cls, value: bool, info: ValidationInfo) -> bool:
        if value and (info.context or {}).get("schema", SCHEMA_VERSION) < 2:
            raise ContentRule(say("rule-schema-2-field", field="large_print"))
        return value

    @model_validator(mode="after")
    def _session_fits_day(self) -> Audience:
        if self.max_hours_per_session > self.max_hours_per_day:
            raise ContentRule(say("rule-session-over-day"))
        return self


class Site(Model):
    """Where a site visit goes and how long it takes."""

    location: Title
    duration: Literal["half-day", "whole-day"]


class Material(Model):
    """A module's material written as a mapping (schema 2): what learners bring, or a handout the pack prints.

    A material written as plain text is prepared by the trainer or the office (the trainer guide's list).
    """

    name: Text
    bring: StrictBool = Field(default=False, description="learners bring it: the handbook's 请携带")
    handout: Id | None = Field(default=None, description="curricula/handouts/<id>.md, printed in the pack")
    trainer: StrictBool = Field(default=False, description="a handout for trainers only (rubrics, answer keys)")

    def __str__(self) -> str:
        return self.name

    @model_validator(mode="after")
    def _one_kind(self) -> Material:
        if self.bring and self.handout is not None:
            raise ContentRule(say("rule-handout-not-brought"))
        if self.trainer and self.handout is None:
            raise ContentRule(say("rule-trainer-needs-handout"))
        return self


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
    materials: list[Text | Material] = Field(default_factory=list, description="text, or a mapping (schema 2)")
    assessment: Text
    elective: StrictBool = False
    site: Site | None = None
    evening: StrictBool = Field(default=False, description="an evening activity (schema 2): only in 晚上 sessions")
    delivery: Delivery = Field(default="face-to-face", description="schema 2: face-to-face, live-online or "
                                                                   "self-paced (counts 学时, takes no session)")
    tags: list[Id] = Field(default_factory=list)
    schema_: Schema = Field(default=1, alias="schema")
    body: str = ""

    @model_validator(mode="after")
    def _site_matches_format(self) -> Module:
        if self.format == "site-visit" and self.site is None:
            raise ContentRule(say("rule-site-needed"))
        if self.format != "site-visit" and self.site is not None:
            raise ContentRule(say("rule-site-only-visits"))
        if self.evening and self.schema_ < 2:
            raise ContentRule(say("rule-schema-2-front-matter", field="evening"))
        if self.delivery != "face-to-face" and self.schema_ < 2:
            raise ContentRule(say("rule-schema-2-front-matter", field="delivery"))
        if self.delivery == "self-paced" and (self.evening or self.format == "site-visit"):
            raise ContentRule(say("rule-self-paced-has-no-session"))
        if self.evening and self.format == "site-visit":
            raise ContentRule(say("rule-evening-visit"))
        if self.schema_ < 2 and any(isinstance(m, Material) for m in self.materials):
            raise ContentRule(say("rule-schema-2-front-matter", field="materials (bring, handout)"))
        return self

    @property
    def to_bring(self) -> list[str]:
        """What learners bring (materials with ``bring: true``)."""
        return [m.name for m in self.materials if isinstance(m, Material) and m.bring]

    @property
    def handouts(self) -> list[Material]:
        """The materials printed in the pack (``handout``), for participants and for trainers."""
        return [m for m in self.materials if isinstance(m, Material) and m.handout is not None]

    @property
    def prepared(self) -> list[str]:
        """What the trainer or the office prepares: every material not brought by learners."""
        return [str(m) for m in self.materials if not (isinstance(m, Material) and m.bring)]


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
    audiences: list[Id] = Field(default_factory=list, description="schema 2: the audiences it is written for; "
                                "empty: every audience")
    schema_: Schema = Field(default=1, alias="schema")
    body: str = ""

    @model_validator(mode="after")
    def _newer_fields(self) -> Case:
        if self.audiences and self.schema_ < 2:
            raise ContentRule(say("rule-schema-2-case", field="audiences"))
        return self

    def suits(self, audience: str) -> bool:
        """Whether the case is written for ``audience`` (a case without audiences suits every one)."""
        return not self.audiences or audience in self.audiences


class PoolEntry(Model):
    """Where the modules beyond the required ones may come from: listed ids or a selector."""

    modules: list[Id] = Field(default_factory=list)
    strands: list[Id] = Field(default_factory=list)
    formats: list[Format] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> PoolEntry:
        if not self.modules and not self.strands:
            raise ContentRule(say("rule-pool-empty"))
        return self


class Meeting(Model):
    """Where and when learners gather for a site visit (schema 2)."""

    time: TimeOfDay
    place: Text


class SiteVisit(Model):
    """A site-visit module placed on a given teaching day, and its logistics for the handbook (schema 2)."""

    module: Id
    day: TeachingDay = "last"
    slot: Literal["morning", "afternoon"] | None = Field(default=None, description="schema 2: the session of a "
                                                                                   "half-day visit")
    travel: Annotated[int, Field(ge=0, le=240, description="schema 2: minutes of travel each way, on the "
                                                           "timetable before and after the visit")] = 0
    meet: Meeting | None = Field(default=None, description="集合时间和地点 (schema 2)")
    bring: list[Text] = Field(default_factory=list, description="what learners bring on the day (schema 2)")
    notes: str = Field(default="", description="dress, safety, meals… for the handbook (schema 2)")

    @property
    def logistics(self) -> bool:
        """Whether the visit says anything for the handbook beyond its module and day."""
        return self.meet is not None or bool(self.bring) or bool(self.notes)

    @property
    def newer(self) -> bool:
        """Whether it uses a schema-2 field."""
        return self.logistics or self.slot is not None or self.travel > 0

    def travel_events(self) -> list[dict[str, object]]:
        """The travel there and back as events at the start and end of the visit's session(s) (none without
        ``travel``); a half-day visit without a ``slot`` goes in the morning."""
        if not self.travel:
            return []
        slot = self.slot or "morning"
        back = self.slot or "afternoon"  # a whole-day visit comes back at the end of the afternoon
        return [{"id": f"travel-to-{self.module}", "kind": "travel", "minutes": self.travel, "day": self.day,
                 "slot": slot, "at": "start", "title": {"zh": "乘车前往现场教学点", "en": "Travel to the site visit"}},
                {"id": f"travel-back-{self.module}", "kind": "travel", "minutes": self.travel, "day": self.day,
                 "slot": back, "at": "end", "title": {"zh": "乘车返回", "en": "Travel back"}}]


class Placement(Model):
    """A module pinned in the timetable (schema 2): a teaching day, weekday or date, a session, a start, an order.

    A module pinned to a day (or weekday, or date) has its session(s) to itself; ``slot`` alone keeps it
    in that session on whatever day; ``after`` makes it come after another module of the plan.
    """

    module: Id
    day: TeachingDay | None = None
    weekday: Weekday | None = None
    date: dt.date | None = None
    slot: Slot | None = None
    time: TimeOfDay | None = None
    after: Id | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Placement:
        days = [name for name in ("day", "weekday", "date") if getattr(self, name) is not None]
        if len(days) > 1:
            raise ContentRule(say("rule-one-day", given=_both(days)))
        if not days and self.slot is None and self.after is None:
            raise ContentRule(say("rule-say-where"))
        if self.time is not None and not days:
            raise ContentRule(say("rule-time-needs-day"))
        if self.after == self.module:
            raise ContentRule(say("rule-after-itself"))
        return self

    @property
    def pinned(self) -> bool:
        """Whether it takes a given day (and so has its session to itself)."""
        return self.day is not None or self.weekday is not None or self.date is not None


class Event(Model):
    """Something on the timetable that is not a module (schema 2): 报到, 开班式, 结业式, travel, a photo…

    Where it goes: ``day`` (a teaching day, or ``arrival`` for the travel day before teaching) and
    ``slot``, or a clock ``time``; check-in, opening and closing have defaults (see kebao.layout).
    """

    id: Id | None = None  # default: the kind; needed when a kind appears twice
    kind: EventKind
    title: Title | None = None  # default: the kind's name from kebao.labels
    minutes: Annotated[int, Field(ge=5, le=720)]
    counts: StrictBool = Field(default=False, description="whether its time counts toward 学时")
    day: Literal["arrival"] | TeachingDay | None = None
    slot: Slot | None = None
    time: TimeOfDay | None = None
    at: Literal["start", "end"] | None = Field(default=None, description="at the session's start or end "
                                                                           "(default: the closing at the end, "
                                                                           "others at the start)")

    @property
    def key(self) -> str:
        return self.id or self.kind

    @model_validator(mode="after")
    def _placed(self) -> Event:
        if self.kind not in ("check-in", "opening", "closing") and self.day is None:
            raise ContentRule(say("rule-event-day", kind=Word(EVENTS[self.kind][0], self.kind)))
        return self


class Venue(Model):
    """A place where a programme meets (schema 2): a campus classroom, a base school, a factory, online."""

    id: Id
    name: Title
    address: str = ""
    kind: Literal["classroom", "site", "online"] = "classroom"
    closed: Annotated[UniqueWeekdays, Field(description="weekdays it is closed: no teaching there then")] = Field(
        default_factory=list)


class Phase(Model):
    """A stretch of a programme with its own days, mode and venue (schema 2): 集中培训, 基地研修, 线上学习…

    Phases follow each other; ``gap`` calendar days lie between one's last day and the next one's first.
    Face-to-face and live-online phases have teaching days and sessions; a self-paced phase is a span in
    which self-paced modules open and fall due; an at-work phase (返岗实践) is a span with no teaching.
    A phase that lists ``modules`` holds those; the plan's other modules go to the phases that list none.
    """

    id: Id
    title: Title
    days: Annotated[int, Field(ge=1, le=366)]
    gap: Annotated[int, Field(ge=0, le=366)] = 0
    mode: PhaseMode = "face-to-face"
    venue: Id | None = None
    modules: UniqueIds = Field(default_factory=list, description="the modules taught in this phase (they are "
                                                                 "in the plan); a phase listing none takes the rest")

    @property
    def teaches(self) -> bool:
        """Whether it has teaching days with sessions (face-to-face or live online)."""
        return self.mode in ("face-to-face", "live-online")


class Rhythm(Model):
    """Meetings on given weekdays every week or fortnight (schema 2): a term's class instead of a block of days.

    The programme's (or cohort's) ``days`` counts the meetings. A meeting that falls on a day off is
    cancelled (it shows as that holiday) and the rhythm goes on until all are held.
    """

    every: Literal["week", "fortnight"]
    weekdays: Annotated[UniqueWeekdays, Field(min_length=1)]
    sessions: Annotated[list[Slot], AfterValidator(_check_unique)] = Field(
        default_factory=list, description="the sessions a meeting has; empty: the day's")


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
    """Start times of the half-day sessions (上午/下午/晚上); schema 1 (schema 2 says more with ``day``)."""

    morning: TimeOfDay = "08:30"
    afternoon: TimeOfDay = "14:00"
    evening: TimeOfDay = "19:00"


class SessionTimes(Model):
    """When one half-day session starts and ends (its teaching, breaks included, stays inside)."""

    start: TimeOfDay
    end: TimeOfDay

    @model_validator(mode="after")
    def _ordered(self) -> SessionTimes:
        if self.end <= self.start:
            raise ContentRule(say("rule-session-backwards", end=self.end, start=self.start))
        return self


class DaySchedule(Model):
    """作息时间 (schema 2): when the sessions run (lunch and dinner lie between them) and the break between 学时."""

    morning: SessionTimes = Field(default_factory=lambda: SessionTimes(start="08:30", end="12:00"))
    afternoon: SessionTimes = Field(default_factory=lambda: SessionTimes(start="14:00", end="17:30"))
    evening: SessionTimes = Field(default_factory=lambda: SessionTimes(start="19:00", end="21:00"))
    break_minutes: Annotated[int, Field(ge=0, le=30)] = 10

    @model_validator(mode="after")
    def _in_order(self) -> DaySchedule:
        for first, then in (("morning", "afternoon"), ("afternoon", "evening")):
            before, after = getattr(self, first), getattr(self, then)
            if after.start < before.end:
                raise ContentRule(say("rule-sessions-overlap", then=Word(SLOTS[then][0], then), start=after.start,
                                      first=Word(SLOTS[first][0], first), end=before.end))
        return self


class Contact(Model):
    """Someone learners can call: the class teacher (班主任), the programme lead, logistics, the clinic."""

    role: Text
    name: Text
    phone: str = ""
    note: str = ""


class Handbook(Model):
    """What a programme's handbook says before the timetable (schema 2); Markdown text, each optional."""

    check_in: str = Field(default="", description="报到须知: where and how to check in, accommodation, meals")
    rules: str = Field(default="", description="学习纪律: the rules of the course")
    leave: str = Field(default="", description="请假制度: how to ask for leave, what it means for the certificate")
    bring: list[Text] = Field(default_factory=list, description="what learners bring for the whole course")


class Cohort(Model):
    """One group of learners taking a programme; every field here is a pack parameter."""

    id: Id
    start: dt.date
    size: Annotated[int, Field(ge=1, le=10000)]
    venue: Text
    language: Language | None = None
    days: Annotated[int, Field(ge=1, le=366)] | None = None
    dates: list[dt.date] = Field(default_factory=list, max_length=366,
                                 description="the cohort's own dates (schema 2), in order")
    mix: Mix | None = None
    exclude: list[Id] = Field(default_factory=list)
    extra: list[Id] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list, description="班主任 and other contacts for the handbook")

    @model_validator(mode="before")
    @classmethod
    def _start_from_dates(cls, data: object) -> object:
        """A cohort with ``dates`` starts on the first; ``start`` may be left out."""
        if isinstance(data, dict) and data.get("dates") and "start" not in data and isinstance(data["dates"], list):
            return {**data, "start": data["dates"][0]}
        return data

    @model_validator(mode="after")
    def _dates_in_order(self) -> Cohort:
        if self.dates:
            if any(later <= earlier for earlier, later in zip(self.dates, self.dates[1:], strict=False)):
                raise ContentRule(say("rule-dates-order"))
            if self.start != self.dates[0]:
                raise ContentRule(say("rule-start-not-first-date", start=self.start, first=self.dates[0]))
            if self.days is not None and self.days != len(self.dates):
                raise ContentRule(say("rule-days-not-dates", days=self.days, count=len(self.dates)))
        return self


class Group(Model):
    """One group of a split: its own modules (and venue) while the other groups take theirs side by side."""

    id: Id
    title: Title
    venue: Id | None = None
    modules: Annotated[UniqueIds, Field(min_length=1)]


class Split(Model):
    """Where a cohort works in groups side by side (schema 2): shadowing by role, elective tracks.

    Each learner is in one group; the groups' sessions run at the same times (the first group's modules are
    placed like required modules, the others take the same sessions), and then the cohort rejoins.
    """

    id: Id
    title: Title
    groups: Annotated[list[Group], Field(min_length=2)]

    @field_validator("groups")
    @classmethod
    def _groups_once(cls, groups: list[Group]) -> list[Group]:
        _check_unique([group.id for group in groups])
        return groups


class Completion(Model):
    """结业条件 (schema 2): what a learner must meet for the certificate and the credits (records/ledger.py).

    ``attendance``: the least share of the programme's 学时 attended, in percent; ``score``: the pass mark of a
    module's assessment (0-100); ``required``: modules a learner must pass to complete. Every programme has
    these rules; a programme that states none has the defaults.
    """

    attendance: Annotated[float, Field(ge=0, le=100)] = 80
    score: Annotated[float, Field(ge=0, le=100)] = 60
    required: UniqueIds = Field(default_factory=list)


class Programme(Entity):
    """A customised course recipe: who, how long, which strands in what proportion."""

    title: Title
    partner: Title
    organiser: Title | None = Field(default=None, description="主办单位 (schema 2), on the handbook's cover")
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
    day: DaySchedule | None = Field(default=None, description="作息时间 (schema 2); default: session_starts")
    mix: Mix | None = Field(default=None, description="required in schema 1; schema 2: optional (a fixed agenda)")
    required: RequiredIds = Field(default_factory=list)
    repeat: dict[Id, Times] = Field(default_factory=dict, description="schema 2: modules taught more than once "
                                    "(module id: how many times); each time is a session and counts its 学时")
    pools: list[PoolEntry] = Field(default_factory=list)
    site_visits: list[SiteVisit] = Field(default_factory=list)
    placements: list[Placement] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    travel: Travel = Field(default_factory=Travel)
    calendar: Rhythm | None = Field(default=None, description="schema 2: meetings every week or fortnight")
    splits: list[Split] = Field(default_factory=list, description="schema 2: where the cohort works in groups "
                                                                  "side by side")
    phases: list[Phase] = Field(default_factory=list, description="schema 2: stretches with their own days, "
                                                                  "mode and venue, in order")
    venues: list[Venue] = Field(default_factory=list, description="schema 2: named places (phases refer to them)")
    holiday_calendar: HolidayRegion = Field(default="CN", description="schema 2: CN, none, or a country code")
    outcomes: list[Outcome] = Field(default_factory=list)
    assessment: str = ""
    handbook: Handbook | None = Field(default=None, description="报到须知, rules, leave (schema 2)")
    completion: Completion = Field(default_factory=Completion, description="结业条件 (schema 2): attendance %, "
                                                                           "pass mark, modules to pass")
    cohort: Cohort
    schema_: Schema = Field(default=1, alias="schema")

    @model_validator(mode="after")
    def _schema_and_agenda(self) -> Programme:
        if self.schema_ < 2:
            if self.mix is None:
                raise ContentRule(say("rule-mix-missing"))
            newer: str | None = next((name for name in ("day", "placements", "events", "calendar",
                                                        "holiday_calendar", "phases", "venues", "splits",
                                                        "organiser", "repeat",
                                                        "handbook", "completion")
                                      if name in self.model_fields_set), None)
            if newer is None and "dates" in self.cohort.model_fields_set:
                newer = "cohort.dates"
            if newer is None and self.cohort.contacts:
                newer = "cohort.contacts"
            if newer is None and any(visit.newer for visit in self.site_visits):
                newer = "site_visits[].slot, travel, meet, bring and notes"
            if newer is not None:
                raise ContentRule(say("rule-schema-2-field", field=newer))
        if self.day is not None and "session_starts" in self.model_fields_set:
            raise ContentRule(say("rule-times-twice"))
        if (self.calendar is not None or self.cohort.dates) and (self.travel.arrival or self.travel.departure):
            raise ContentRule(say("rule-dated-no-travel"))
        if self.mix is None and self.pools:
            raise ContentRule(say("rule-pools-need-mix"))
        self._check_phases()
        self._check_splits()
        self._check_repeats()
        return self

    def times(self, module: str) -> int:
        """How many times ``module`` is taught (``repeat``; 1 unless it says more)."""
        return self.repeat.get(module, 1)

    def _check_repeats(self) -> None:
        """A repeated module is required or listed in phases (once, or once in each of ``times`` phases), and
        neither pinned, a site visit nor a group's (those place one session)."""
        placed = {*(p.module for p in self.placements), *(v.module for v in self.site_visits), *self.grouped}
        for module, times in self.repeat.items():
            if module in placed:
                raise ContentRule(say("rule-repeat-placed", module=module), ("repeat", module))
            phases = sum(1 for phase in self.phases if module in phase.modules)
            if module not in self.required and not phases:
                raise ContentRule(say("rule-repeat-not-listed", module=module), ("repeat", module))
            if phases not in (0, 1, times):
                raise ContentRule(say("rule-repeat-phases", module=module, times=times, phases=phases),
                                  ("repeat", module))

    def _check_splits(self) -> None:
        _check_unique([split.id for split in self.splits])
        venues = [venue.id for venue in self.venues]
        elsewhere = {*self.required, *(v.module for v in self.site_visits),
                     *(m for phase in self.phases for m in phase.modules)}
        seen: list[str] = []
        for s, split in enumerate(self.splits):
            placed = {p.module for p in self.placements} - set(split.groups[0].modules)
            for g, group in enumerate(split.groups):
                at = ("splits", s, "groups", g)
                pinned = next((m for m in group.modules if m in placed), None)
                if pinned is not None:  # the first group's placements place the split; the others follow
                    raise ContentRule(say("rule-group-placed", module=pinned, first=split.groups[0].id),
                                      (*at, "modules", group.modules.index(pinned)))
                if group.venue is not None and group.venue not in venues:
                    raise ContentRule(say("rule-unknown-group-venue", group=f"{split.id}.{group.id}",
                                          venue=group.venue, known=tuple(venues)), (*at, "venue"))
                for m, module in enumerate(group.modules):
                    if module in seen or module in elsewhere:
                        raise ContentRule(say("rule-module-in-group-and-elsewhere", module=module, group=group.id),
                                          (*at, "modules", m))
                    seen.append(module)

    @property
    def grouped(self) -> dict[str, tuple[Split, Group]]:
        """Each module of a split's groups: its split and group."""
        return {module: (split, group) for split in self.splits for group in split.groups
                for module in group.modules}

    def _check_phases(self) -> None:
        if not self.phases:
            return
        if self.calendar is not None or self.cohort.dates:
            raise ContentRule(say("rule-phases-or-calendar"), ("phases",))
        if self.days != sum(phase.days for phase in self.phases):
            raise ContentRule(say("rule-phase-days", days=self.days, total=sum(p.days for p in self.phases)),
                              ("days",))
        if not any(phase.teaches for phase in self.phases):
            raise ContentRule(say("rule-phase-none-teaches"), ("phases",))
        venues = [venue.id for venue in self.venues]
        for index, phase in enumerate(self.phases):
            if phase.venue is not None and phase.venue not in venues:
                raise ContentRule(say("rule-unknown-venue", phase=phase.id, venue=phase.venue,
                                      known=tuple(venues)), ("phases", index, "venue"))
        listed = [module for phase in self.phases for module in phase.modules]
        for index, phase in enumerate(self.phases):
            for position, module in enumerate(phase.modules):
                earlier = [m for p in self.phases[:index] for m in p.modules]
                if module in earlier and module not in self.repeat:
                    raise ContentRule(say("rule-module-in-two-phases", module=module, times=listed.count(module)),
                                      ("phases", index, "modules", position))
            if phase.modules and phase.mode == "at-work":
                raise ContentRule(say("rule-at-work-no-modules", phase=phase.id), ("phases", index, "modules"))

    @property
    def timetable_events(self) -> list[Event]:
        """The events on the timetable: the programme's, and each site visit's travel there and back."""
        return [*self.events, *(Event.model_validate(event) for visit in self.site_visits
                                for event in visit.travel_events())]

    @model_validator(mode="before")
    @classmethod
    def _days_from_phases(cls, data: object) -> object:
        """A programme in phases may leave out ``days``: they are its phases' days."""
        if isinstance(data, dict) and "days" not in data and isinstance(data.get("phases"), list):
            days = [phase.get("days") for phase in data["phases"] if isinstance(phase, dict)]
            if days and all(isinstance(d, int | str) and str(d).isdigit() for d in days):
                return {**data, "days": sum(int(str(d)) for d in days)}
        return data

    @field_validator("placements")
    @classmethod
    def _one_placement_each(cls, placements: list[Placement]) -> list[Placement]:
        pinned = [p.module for p in placements]
        twice = next((m for index, m in enumerate(pinned) if m in pinned[:index]), None)
        if twice is not None:
            raise ContentRule(say("rule-placed-twice", module=twice))
        return placements

    @field_validator("venues", "phases")
    @classmethod
    def _ids_once(cls, items: list[Venue] | list[Phase]) -> list[Venue] | list[Phase]:
        _check_unique([item.id for item in items])
        return items

    @field_validator("events")
    @classmethod
    def _events_apart(cls, events: list[Event]) -> list[Event]:
        keys = [event.key for event in events]
        repeated = next((k for index, k in enumerate(keys) if k in keys[:index]), None)
        if repeated is not None:
            raise ContentRule(say("rule-events-alike", key=repeated))
        return events


class Holiday(Model):
    """The days off of one statutory holiday, as the State Council's notice lists them (放假)."""

    name: Text
    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.last < self.first:
            raise ContentRule(say("rule-holiday-backwards", name=self.name, last=self.last, first=self.first))
        if (self.last - self.first).days > 14:
            raise ContentRule(say("rule-holiday-too-long", name=self.name, days=(self.last - self.first).days + 1))
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
                raise ContentRule(say("rule-workday-weekday", day=day,
                                      weekday=Word(WEEKDAY_NAMES[day.weekday()][0], day.strftime("%A"))))
            clash = next((h.name for h in self.holidays if h.first <= day <= h.last), None)
            if clash:
                raise ContentRule(say("rule-workday-in-holiday", day=day, holiday=clash))
        return self


class HolidayCalendar(Model):
    """curricula/holidays.yml: official arrangements for years the chinesecalendar package does not cover yet."""

    years: tuple[HolidayYear, ...]
    schema_: Schema = Field(default=1, alias="schema")

    @model_validator(mode="after")
    def _unique(self) -> HolidayCalendar:
        years = [entry.year for entry in self.years]
        repeated = sorted({year for year in years if years.count(year) > 1})
        if repeated:
            raise ContentRule(say("rule-year-twice", year=repeated[0]))
        return self
