"""Compose: a programme plus a cohort's parameters -> a :class:`Plan`.

The plan says which modules a cohort takes, why each is in, and how many 学时
each strand gets against its target. The rules, in order:

1. Settings: the cohort's mix, days, language, exclude and extra override the
   programme's; weekends and evenings default to the audience's.
2. The dated calendar (:func:`kebao.calendar.build_layout`) gives the capacity;
   the target total is ``total_hours`` if the programme gives it, else that
   capacity. A target above the capacity is a :class:`PlanError`.
3. Fixed modules: site visits, required modules and the cohort's extra modules,
   each preceded by its prerequisites. One the cohort excludes, one not meant for
   the audience, or a site-visit module that is not placed on a day is an error.
4. Candidates: modules listed in pools, plus modules of a pool's strands (and
   formats); never another audience's, never ``elective`` unless listed by id,
   never excluded, never a site visit, never one whose prerequisites are barred.
5. Feasibility: fixed hours above the target, or a strand whose fixed modules and
   candidates together fall short of its target by more than half a 学时, fail
   here, naming the strand, the shortfall and the fixes.
6. Greedy choice: repeatedly add the candidate (with its missing prerequisites)
   that most reduces the total absolute error across strands, ties by id, never
   beyond the capacity; stop when nothing reduces it.

Deterministic: the same catalogue, programme and cohort give the same plan.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .calendar import Layout, build_layout
from .catalog import Catalog
from .errors import PlanError
from .model import Cohort, Language, Module, Programme

ReasonKind = Literal["site-visit", "required", "extra", "prerequisite", "chosen"]
EPSILON = 1e-6
SHORT_TOLERANCE = 0.5  # 学时 a strand may miss its target by before the request is infeasible


@dataclass(frozen=True)
class PlanItem:
    """One module in the plan and why it is there."""

    module: str
    strand: str
    hours: float
    kind: ReasonKind
    reason: str


@dataclass(frozen=True)
class StrandHours:
    """A strand's target and planned 学时."""

    id: str
    name: str  # Chinese name
    target_hours: float
    hours: float

    @property
    def error(self) -> float:
        """Planned minus target (negative: short)."""
        return self.hours - self.target_hours


@dataclass(frozen=True)
class Plan:
    """Which modules a cohort takes, why, and the 学时 per strand; the input of :func:`kebao.schedule.schedule`."""

    programme: str
    cohort: Cohort  # effective: language, days and mix filled in from the programme
    weekends: bool
    evenings: bool
    timezone: str
    target_hours: float
    capacity: float
    items: tuple[PlanItem, ...]
    strands: tuple[StrandHours, ...]
    notes: tuple[str, ...] = ()

    @property
    def total_hours(self) -> float:
        return sum(item.hours for item in self.items)

    @property
    def days(self) -> int:
        return self.cohort.days or 0

    @property
    def language(self) -> Language:
        return self.cohort.language or "zh"

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(item.module for item in self.items)

    def item(self, module: str) -> PlanItem:
        """The plan's item for ``module``; KeyError if it is not in the plan."""
        for item in self.items:
            if item.module == module:
                return item
        raise KeyError(module)

    def to_json_dict(self) -> dict[str, Any]:
        """The plan as plain JSON values (no sessions; see Timetable.to_json_dict)."""
        return {
            "programme": self.programme,
            "cohort": self.cohort.model_dump(mode="json"),
            "target_hours": number(self.target_hours),
            "total_hours": number(self.total_hours),
            "capacity": number(self.capacity),
            "modules": [{"module": i.module, "strand": i.strand, "hours": number(i.hours), "kind": i.kind,
                         "reason": i.reason} for i in self.items],
            "strands": [{"id": s.id, "name": s.name, "target_hours": number(s.target_hours),
                         "hours": number(s.hours)} for s in self.strands],
            "notes": list(self.notes),
        }


def number(value: float) -> float | int:
    """A JSON number: whole values as int, others rounded to 2 decimals."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def compose(catalog: Catalog, programme: Programme, cohort: Cohort | None = None) -> Plan:
    """The plan for ``programme`` and ``cohort`` (default: the programme's own cohort); PlanError if infeasible."""
    cohort = cohort if cohort is not None else programme.cohort
    audience = catalog.audiences[programme.audience]
    _check_references(catalog, programme, cohort)
    mix = dict(cohort.mix or programme.mix)
    effective = cohort.model_copy(update={"language": cohort.language or programme.language,
                                          "days": cohort.days or programme.days, "mix": mix})
    days = effective.days or programme.days
    weekends = programme.weekends if programme.weekends is not None else audience.weekends
    evenings = programme.evenings if programme.evenings is not None else audience.evenings
    layout = build_layout(catalog, programme, audience, cohort.start, days, weekends, evenings)
    target = _target_hours(programme, layout, days)
    chooser = _Chooser(catalog, programme, cohort, mix, target, layout.capacity)
    chooser.fix()
    chooser.check_supply()
    chooser.choose()
    return Plan(programme.id, effective, weekends, evenings, programme.timezone, target, layout.capacity,
                tuple(chooser.items()), tuple(chooser.strand_hours()), tuple(chooser.notes()))


def strand_label(catalog: Catalog, strand: str) -> str:
    """'产业 (industry)': the Chinese name with the id."""
    found = catalog.strands.get(strand)
    return f"{found.name.zh} ({strand})" if found else strand


def _target_hours(programme: Programme, layout: Layout, days: int) -> float:
    capacity = layout.capacity
    if programme.total_hours is None:
        return capacity
    if programme.total_hours > capacity + EPSILON:
        teaching = len(layout.teaching)
        raise PlanError(
            f"programme '{programme.id}' needs {programme.total_hours:g} 学时 but its {days} day(s) from "
            f"{layout.days[0].date.isoformat()} hold at most {capacity:g} ({teaching} teaching day(s), "
            f"{layout.max_hours_per_day:g} 学时 a day at most)",
            "add days (--set days=…), allow weekends or evenings, choose a start date with fewer holidays, "
            "or lower total_hours")
    return float(programme.total_hours)


def _check_references(catalog: Catalog, programme: Programme, cohort: Cohort) -> None:
    for field, ids in (("exclude", cohort.exclude), ("extra", cohort.extra)):
        for module in ids:
            if module not in catalog.modules:
                raise PlanError(f"cohort '{cohort.id}' {field}s unknown module '{module}'",
                                did_you_mean(module, catalog.modules))
    for strand in cohort.mix or {}:
        if strand not in catalog.strands:
            raise PlanError(f"cohort '{cohort.id}' mix names unknown strand '{strand}'",
                            did_you_mean(strand, catalog.strands))


def did_you_mean(value: str, known: Iterable[str]) -> str:
    matches = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?" if matches else ""


class _Chooser:
    """The state of one composition: fixed modules, candidates, the greedy choice, and why."""

    def __init__(self, catalog: Catalog, programme: Programme, cohort: Cohort, mix: Mapping[str, float],
                 target: float, capacity: float):
        self.catalog = catalog
        self.programme = programme
        self.cohort = cohort
        self.mix = dict(mix)
        self.target = target
        self.capacity = capacity
        self.targets = {strand: target * weight / 100 for strand, weight in mix.items()}
        self.selected: dict[str, tuple[ReasonKind, str]] = {}  # module -> why, in plan order
        self.fixed_hours: dict[str, float] = {}
        self.candidates: list[str] = []
        self.closures: dict[str, list[str]] = {}
        self.capacity_skipped: set[str] = set()

    # -- fixed modules ------------------------------------------------------

    def barred(self, module: Module) -> str | None:
        """Why ``module`` cannot be in this plan at all, or None."""
        if module.id in self.cohort.exclude:
            return f"excluded by cohort '{self.cohort.id}'"
        audience = self.programme.audience
        if module.audiences and audience not in module.audiences:
            return f"meant for audience(s) {', '.join(module.audiences)}, not '{audience}'"
        visits = {v.module for v in self.programme.site_visits}
        if module.format == "site-visit" and module.id not in visits:
            return "a site visit that the programme does not place on a day (site_visits)"
        return None

    def fix(self) -> None:
        fixed: list[tuple[str, ReasonKind, str]] = []
        for visit in self.programme.site_visits:
            day = f"day: {visit.day}" if isinstance(visit.day, str) else f"teaching day {visit.day}"
            fixed.append((visit.module, "site-visit", f"site visit ({day})"))
        fixed += [(module, "required", "required") for module in self.programme.required]
        fixed += [(module, "extra", "extra module requested by cohort") for module in self.cohort.extra]
        for module_id, kind, reason in fixed:
            if module_id in self.selected:
                continue
            module = self.catalog.modules[module_id]
            why = self.barred(module)
            if why:
                raise PlanError(f"{kind} module '{module_id}' is {why}", _FIXED_HINTS[kind])
            for prerequisite, dependent in self.closure(module_id):
                if prerequisite in self.selected:
                    continue
                if prerequisite == module_id:
                    self.selected[module_id] = (kind, reason)
                    continue
                barred = self.barred(self.catalog.modules[prerequisite])
                if barred:
                    raise PlanError(f"module '{prerequisite}' is a prerequisite of '{dependent}' "
                                    f"({kind} module) but is {barred}",
                                    f"remove it from the cohort's exclude, or drop '{dependent}'")
                self.selected[prerequisite] = ("prerequisite", f"prerequisite of {dependent}")
        self.fixed_hours = self._hours(self.selected)
        total = sum(self.fixed_hours.values())
        if total > self.target + EPSILON:
            raise PlanError(
                f"programme '{self.programme.id}': required modules, site visits, extra modules and their "
                f"prerequisites take {total:g} 学时, more than the {self.target:g} 学时 of the programme",
                "raise total_hours or days, or require fewer modules")

    def closure(self, module_id: str) -> list[tuple[str, str]]:
        """(module, the module it is needed by) in dependency order, ending with ``module_id`` itself."""
        order: list[tuple[str, str]] = []
        seen: set[str] = set()

        def visit(current: str, needed_by: str) -> None:
            if current in seen:
                return
            seen.add(current)
            for prerequisite in self.catalog.modules[current].prerequisites:
                visit(prerequisite, current)
            order.append((current, needed_by))

        visit(module_id, module_id)
        return order

    # -- candidates and feasibility ------------------------------------------

    def check_supply(self) -> None:
        self.candidates = self._candidates()
        offered: set[str] = set(self.selected)
        for candidate in self.candidates:
            offered.update(self.closures[candidate])
        supply = self._hours(offered)
        short = []
        for strand, target in self.targets.items():
            missing = target - supply.get(strand, 0.0)
            if missing > SHORT_TOLERANCE:
                short.append(f"strand {strand_label(self.catalog, strand)} is short by {missing:.4g} 学时 "
                             f"(target {target:.4g} = {self.mix[strand]:g}% of {self.target:g}; required "
                             f"modules and pools offer at most {supply.get(strand, 0.0):g})")
        if short:
            strands = [s for s in self.targets if self.targets[s] - supply.get(s, 0.0) > SHORT_TOLERANCE]
            first = strands[0]
            raise PlanError(
                f"programme '{self.programme.id}' cannot meet its strand mix: " + "; ".join(short),
                f"add modules of strand '{first}' to a pool (pools: - strands: [{first}]), lower its weight "
                f"(--set mix.{first}=…), or shorten the programme (fewer days or a lower total_hours)")

    def _candidates(self) -> list[str]:
        found: set[str] = set()
        for pool in self.programme.pools:
            found.update(pool.modules)
            for module in self.catalog.modules.values():
                if module.strand in pool.strands and (not pool.formats or module.format in pool.formats) \
                        and not module.elective:
                    found.add(module.id)
        result = []
        for module_id in sorted(found - set(self.selected)):
            closure = [m for m, _ in self.closure(module_id)]
            if any(self.barred(self.catalog.modules[m]) for m in closure):
                continue
            self.closures[module_id] = closure
            result.append(module_id)
        return result

    # -- the greedy choice ---------------------------------------------------

    def error(self, hours: Mapping[str, float]) -> float:
        strands = set(self.targets) | set(hours)
        return sum(abs(hours.get(s, 0.0) - self.targets.get(s, 0.0)) for s in strands)

    def choose(self) -> None:
        planned = self._hours(self.selected)
        total = sum(planned.values())
        while True:
            current = self.error(planned)
            best: tuple[float, str, list[str]] | None = None
            for candidate in self.candidates:
                if candidate in self.selected:
                    continue
                adding = [m for m in self.closures[candidate] if m not in self.selected]
                extra = self._hours(adding)
                if total + sum(extra.values()) > self.capacity + EPSILON:
                    self.capacity_skipped.add(candidate)
                    continue
                after = dict(planned)
                for strand, hours in extra.items():
                    after[strand] = after.get(strand, 0.0) + hours
                gain = current - self.error(after)
                if gain > EPSILON and (best is None or gain > best[0] + EPSILON):
                    best = (gain, candidate, adding)
            if best is None:
                return
            _, candidate, adding = best
            for module_id in adding:
                module = self.catalog.modules[module_id]
                if module_id == candidate:
                    self.selected[module_id] = ("chosen",
                                                f"chosen for strand {strand_label(self.catalog, module.strand)}")
                else:
                    needed_by = next(d for m, d in self.closure(candidate) if m == module_id)
                    self.selected[module_id] = ("prerequisite", f"prerequisite of {needed_by}")
                planned[module.strand] = planned.get(module.strand, 0.0) + module.hours
                total += module.hours

    # -- results --------------------------------------------------------------

    def items(self) -> list[PlanItem]:
        modules = self.catalog.modules
        return [PlanItem(m, modules[m].strand, modules[m].hours, kind, reason)
                for m, (kind, reason) in self.selected.items()]

    def strand_hours(self) -> list[StrandHours]:
        planned = self._hours(self.selected)
        order = list(self.targets) + sorted(set(planned) - set(self.targets))
        return [StrandHours(s, self.catalog.strands[s].name.zh if s in self.catalog.strands else s,
                            self.targets.get(s, 0.0), planned.get(s, 0.0)) for s in order]

    def notes(self) -> list[str]:
        """Why a strand misses its target by more than one module's 学时, or the total its target."""
        notes = []
        for strand in self.strand_hours():
            granularity = max((self.catalog.modules[m].hours for m in [*self.selected, *self.candidates]
                               if self.catalog.modules[m].strand == strand.id), default=0.0)
            if abs(strand.error) <= granularity + EPSILON:
                continue
            label = strand_label(self.catalog, strand.id)
            if strand.error > 0:
                fixed = self.fixed_hours.get(strand.id, 0.0)
                notes.append(f"strand {label} is {strand.error:.4g} 学时 over its target: fixed modules (required, "
                             f"site visits, extra, prerequisites) take {fixed:g} and modules chosen to balance "
                             f"other strands bring {strand.hours - fixed:g}")
                continue
            left = [c for c in self.candidates if c not in self.selected
                    and self.catalog.modules[c].strand == strand.id]
            if not left:
                why = "no more modules of this strand are available"
            elif any(c in self.capacity_skipped for c in left):
                why = f"adding {', '.join(left)} would exceed the {self.capacity:g} 学时 the schedule holds"
            else:
                why = (f"adding {', '.join(left)} would increase the total error (overshoot, or prerequisites "
                       "in other strands)")
            notes.append(f"strand {label} is {-strand.error:.4g} 学时 under its target: {why}")
        total = sum(s.hours for s in self.strand_hours())
        if abs(total - self.target) >= SHORT_TOLERANCE:
            notes.append(f"planned {total:g} of the {self.target:g} 学时 targeted: the closest fit to each "
                         "strand's target that these module sizes allow")
        return notes

    def _hours(self, modules: Iterable[str]) -> dict[str, float]:
        hours: dict[str, float] = {}
        for module_id in modules:
            module = self.catalog.modules[module_id]
            hours[module.strand] = hours.get(module.strand, 0.0) + module.hours
        return hours


_FIXED_HINTS = {
    "site-visit": "remove it from the cohort's exclude, or from the programme's site_visits",
    "required": "remove it from the cohort's exclude or the programme's required; a site visit goes under "
                "site_visits with a day",
    "extra": "remove it from the cohort's extra (or exclude); a site visit goes under the programme's site_visits",
}
