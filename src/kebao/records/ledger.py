"""The ledger: each learner's 学时, 学分, results, and whether they completed, and why not (pure functions).

Plain values in, plain values out: :class:`Course` (what the cohort's plan offers: modules, their 学时 and
学分, the completion rules; ``records/course.py`` makes it from kebao's engine) and :class:`Marks` (what the
records hold of one learner; ``records/marks.py`` reads them) give a :class:`Ledger`.

What counts (the practice of a Chinese training office, written down in docs/records.md):

* **学时 attended.** A session's 学时 count in full when the learner was present (出勤) or came late (迟到:
  they were taught; the lateness is noted on the sign-in sheet, not taken off the hours); half when they left
  early (早退); not at all on leave (请假) or absent (缺勤). Leave is approved absence: it is reported apart
  from 缺勤, but it is not attendance, and a learner whose leave takes them below the attendance rule does not
  complete (the common rule: 请假或缺勤超过总学时的 X% 不予结业).
* **Attendance share** = 学时 attended / the programme's 学时 for one learner (the plan's total: modules and
  the events that count), compared exactly (Decimal).
* **A module is passed** when it is *assessed* (the cohort has a score for it) and the learner's score is at
  least the pass mark; a module nobody has a score for is passed by attending at least the attendance share of
  its planned 学时. A missing score in an assessed module is not a pass.
* **学分.** A learner earns a module's 学分 (the programme's 学分 shared over its modules by largest remainder,
  ``credits.credit_record``) when they pass it; their total is the exact sum, so a learner who passes every
  module has exactly the programme's 学分.
* **Completed** (结业) when the attendance share is met and every module of ``completion.required`` is passed.
* **Groups.** Where a programme splits the cohort (``splits``), a learner takes the group whose modules the
  records hold marks for (the first group when none), and only that group's modules are theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ..messages import Message, say

STATUSES = ("present", "late", "left-early", "leave", "absent")
CREDITED: Mapping[str, Decimal] = {"present": Decimal(1), "late": Decimal(1), "left-early": Decimal("0.5"),
                                   "leave": Decimal(0), "absent": Decimal(0)}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rules:
    """结业条件: least attendance share (percent of 学时), pass mark, modules that must be passed."""

    attendance: Decimal = Decimal(80)
    score: Decimal = Decimal(60)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedModule:
    """A module of the cohort's plan: its 学时 for one learner and the 学分 it carries."""

    module: str
    title: str
    title_en: str
    hours: Decimal
    credits: Decimal
    group: tuple[str, str] | None = None  # (split, group) when only that group's learners take it


@dataclass(frozen=True)
class Course:
    """What a cohort's plan offers a learner (made by ``records.course.course_of``)."""

    programme: str
    cohort: str
    title: str
    title_en: str
    issuer: str  # 主办单位 (the programme's organiser), '' when the programme names none
    first: str  # ISO dates of the cohort's first and last day
    last: str
    hours: Decimal  # one learner's 学时
    credits: Decimal  # the programme's 学分 (what a learner passing every module earns)
    modules: tuple[PlannedModule, ...]
    rules: Rules = field(default_factory=Rules)

    def module(self, module_id: str) -> PlannedModule | None:
        return next((m for m in self.modules if m.module == module_id), None)


@dataclass(frozen=True)
class Mark:
    """One session of a learner, as the sign-in sheet says."""

    session: str
    module: str
    hours: Decimal
    status: str


@dataclass(frozen=True)
class Marks:
    """What the records hold of one learner (no phone, no ID number: the ledger never needs them)."""

    learner: int  # the learner's id in the database
    number: int  # 1, 2, … in roster order (what commands accept instead of a name)
    name: str
    organisation: str
    post: str
    attendance: tuple[Mark, ...] = ()
    scores: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleResult:
    """One module of a learner's ledger."""

    module: str
    title: str
    hours: Decimal  # planned
    attended: Decimal
    score: Decimal | None
    assessed: bool
    passed: bool
    credits: Decimal  # earned: the module's 学分 when passed, else 0


@dataclass(frozen=True)
class Check:
    """One completion rule as it applies to a learner: the sentence (a message) and whether it is met."""

    message: Message
    met: bool

    def render(self, language: str = "zh") -> str:
        return f"{self.message.render('en' if language == 'en' else 'zh')} {'✓' if self.met else '✗'}"


@dataclass(frozen=True)
class Ledger:
    """One learner's line: 学时, 学分, results, completed and the checks that say why (not)."""

    marks: Marks
    attended: Decimal
    leave: Decimal
    absent: Decimal  # 学时 of sessions missed without leave (left-early's missed half included)
    hours: Decimal  # the programme's 学时 for one learner
    credits: Decimal
    modules: tuple[ModuleResult, ...]
    checks: tuple[Check, ...]

    @property
    def completed(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def share(self) -> Decimal:
        """Attendance in percent, one decimal, rounded down (79.99 % shows as 79.9, never as 80.0)."""
        return _share(self.attended, self.hours)

    @property
    def reasons(self) -> tuple[Check, ...]:
        """The checks not met: why the learner did not complete (empty when they did)."""
        return tuple(check for check in self.checks if not check.met)


def assessed_modules(cohort: Sequence[Marks]) -> frozenset[str]:
    """The modules the cohort has a score for: those passed by score; the others are passed by attendance."""
    return frozenset(module for marks in cohort for module in marks.scores)


def ledger(course: Course, marks: Marks, assessed: frozenset[str]) -> Ledger:
    """``marks``' learner's ledger on ``course`` (see the module docstring for what counts)."""
    attended = sum((CREDITED.get(m.status, Decimal(0)) * m.hours for m in marks.attendance), Decimal(0))
    leave = sum((m.hours for m in marks.attendance if m.status == "leave"), Decimal(0))
    absent = sum((m.hours * (1 - CREDITED.get(m.status, Decimal(0))) for m in marks.attendance
                  if m.status != "leave"), Decimal(0))
    rules = course.rules
    results = tuple(_result(module, marks, module.module in assessed, rules) for module in _path(course, marks))
    checks = [Check(say("ledger-attendance", attended=number(attended), hours=number(course.hours),
                        share=number(_share(attended, course.hours)),
                        sign="≥" if _met(attended, course.hours, rules.attendance) else "<",
                        least=number(rules.attendance)),
                    _met(attended, course.hours, rules.attendance))]
    for required in rules.required:
        result = next((r for r in results if r.module == required), None)
        if result is not None:  # a required module of a group the learner is not in is not theirs
            checks.append(Check(_why(result, rules), result.passed))
    return Ledger(marks, attended, leave, absent, course.hours, sum((r.credits for r in results), Decimal(0)),
                  results, tuple(checks))


def cohort_ledger(course: Course, cohort: Sequence[Marks]) -> list[Ledger]:
    """Every learner's ledger, in roster order."""
    assessed = assessed_modules(cohort)
    return [ledger(course, marks, assessed) for marks in sorted(cohort, key=lambda m: m.number)]


def number(value: Decimal) -> str:
    """A Decimal as people write it: 28, 87.5, 0.25 (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _share(attended: Decimal, hours: Decimal) -> Decimal:
    return (attended * HUNDRED / hours).quantize(Decimal("0.1"), rounding=ROUND_DOWN) if hours else Decimal(0)


def _met(attended: Decimal, hours: Decimal, least: Decimal) -> bool:
    """attended / hours ≥ least %, exactly (no rounding)."""
    return attended * HUNDRED >= least * hours


def _path(course: Course, marks: Marks) -> list[PlannedModule]:
    """The learner's modules: every module not in a split, and of each split the group the records put them in."""
    touched = {m.module for m in marks.attendance} | set(marks.scores)
    groups: dict[str, list[str]] = {}
    for module in course.modules:
        if module.group is not None and module.group[1] not in groups.setdefault(module.group[0], []):
            groups[module.group[0]].append(module.group[1])
    chosen = {}
    for split, names in groups.items():
        theirs = [name for name in names if any(m.group == (split, name) and m.module in touched
                                                 for m in course.modules)]
        chosen[split] = (theirs or names)[0]
    return [m for m in course.modules if m.group is None or chosen[m.group[0]] == m.group[1]]


def _result(module: PlannedModule, marks: Marks, assessed: bool, rules: Rules) -> ModuleResult:
    attended = sum((CREDITED.get(m.status, Decimal(0)) * m.hours for m in marks.attendance
                    if m.module == module.module), Decimal(0))
    score = marks.scores.get(module.module)
    passed = (score is not None and score >= rules.score) if assessed else _met(attended, module.hours,
                                                                                 rules.attendance)
    return ModuleResult(module.module, module.title, module.hours, attended, score, assessed, passed,
                        module.credits if passed else Decimal("0.00"))


def _why(result: ModuleResult, rules: Rules) -> Message:
    if not result.assessed:
        return say("ledger-module-attended", module=result.title, attended=number(result.attended),
                   hours=number(result.hours), sign="≥" if result.passed else "<", least=number(rules.attendance))
    if result.score is None:
        return say("ledger-no-score", module=result.title)
    return say("ledger-score", module=result.title, score=number(result.score),
               sign="≥" if result.passed else "<", least=number(rules.score))
