# size: one composition (_Chooser) and its advice; issue 14 moves the wording to the labels catalogue.
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
   the audience, or a site-visit module that is not placed on a day is an error;
   so are fixed modules that do not fit *whole* into the free sessions
   (:meth:`kebao.calendar.Layout.leftover`: a module is split only when it is
   longer than a session).
4. Candidates: modules listed in pools, plus modules of a pool's strands (and
   formats); never another audience's, never ``elective`` unless listed by id,
   never excluded, never a site visit, never one whose prerequisites are barred.
5. Feasibility: fixed hours above the target, or a strand whose fixed modules and
   candidates together fall short of its target by more than half a 学时, fail
   here, naming the strand, the shortfall and the fixes.
6. Greedy choice: repeatedly add the candidate (with its missing prerequisites)
   that most reduces the total absolute error across strands, ties by id, never
   beyond the capacity nor beyond what fits whole; stop when nothing reduces it.

Every refusal says what would help, and only that: how many days would hold the
plan, weekends or evenings only where the audience allows them, a programme edit
(``total_hours``) rather than a cohort setting where only the programme can change.
Deterministic: the same catalogue, programme and cohort give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .agenda import build_layout, days_needed
from .catalog import Catalog
from .errors import PlanError, did_you_mean
from .layout import EPSILON, Layout
from .model import Cohort, Module, Placement, Programme
from .plan import Plan, PlanItem, ReasonKind, StrandHours, number, strand_label

__all__ = ["EPSILON", "Plan", "PlanItem", "ReasonKind", "StrandHours", "compose", "did_you_mean", "number",
           "strand_label"]

SHORT_TOLERANCE = 0.5  # 学时 a strand may miss its target by before the request is infeasible


def compose(catalog: Catalog, programme: Programme, cohort: Cohort | None = None) -> Plan:
    """The plan for ``programme`` and ``cohort`` (default: the programme's own cohort); PlanError if infeasible."""
    cohort = cohort if cohort is not None else programme.cohort
    _check_references(catalog, programme, cohort)
    mix = dict(cohort.mix or programme.mix or {})  # empty: a fixed agenda (schema 2), its mix only reported
    effective = cohort.model_copy(update={"language": cohort.language or programme.language,
                                          "days": cohort.days or programme.days, "mix": mix or None})
    chooser = _Chooser(catalog, programme, cohort, mix)
    chooser.fix()
    chooser.check_supply()
    chooser.choose()
    return Plan(programme.id, effective, chooser.weekends, chooser.evenings, programme.timezone, chooser.target,
                chooser.capacity, tuple(chooser.items()), tuple(chooser.strand_hours()), chooser.layout,
                tuple(chooser.notes()), chooser.layout.counted_hours)


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


def _either(advice: Iterable[str]) -> str:
    """'a, b or c' from the non-empty items."""
    items = [a for a in advice if a]
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)



class _Chooser:
    """The state of one composition: fixed modules, candidates, the greedy choice, and why."""

    def __init__(self, catalog: Catalog, programme: Programme, cohort: Cohort, mix: Mapping[str, float]):
        self.catalog = catalog
        self.programme = programme
        self.cohort = cohort
        self.mix = dict(mix)
        self.audience = catalog.audiences[programme.audience]
        self.days = cohort.days or programme.days
        self.weekends = programme.weekends if programme.weekends is not None else self.audience.weekends
        self.evenings = programme.evenings if programme.evenings is not None else self.audience.evenings
        self.layout = self.layout_for(self.days, self.weekends, self.evenings)
        self.visits = {v.module for v in self.layout.visits}  # site visits and pinned modules: placed already
        # Evening activities take evening sessions, on top of the days' capacity; events that count take 学时 too.
        self.capacity = self.layout.capacity + self._evening_hours(self.fixed_ids())
        self.target = self.target_hours()
        module_target = self.target - self.layout.counted_hours
        self.targets = {strand: module_target * weight / 100 for strand, weight in mix.items()}
        self.selected: dict[str, tuple[ReasonKind, str]] = {}  # module -> why, in plan order
        self.fixed_hours: dict[str, float] = {}
        self.candidates: list[str] = []
        self.closures: dict[str, list[str]] = {}
        self.capacity_skipped: dict[str, bool] = {}  # candidate -> True: over the 学时; False: not whole
        self.packs: dict[tuple[float, ...], bool] = {}

    # -- the calendar: capacity, whole modules, advice -------------------------

    def layout_for(self, days: int, weekends: bool, evenings: bool) -> Layout:
        return build_layout(self.catalog, self.programme, self.audience, self.cohort.start, days, weekends, evenings)

    def _evening_hours(self, modules: Iterable[str]) -> float:
        return sum(self.catalog.modules[m].hours for m in modules if self.catalog.modules[m].evening)

    def target_hours(self) -> float:
        total = self.programme.total_hours
        if total is None and not self.mix:  # a fixed agenda: what it lists
            return sum(self.catalog.modules[m].hours for m in self.fixed_ids()) + self.layout.counted_hours
        if total is None:
            return self.capacity + self.layout.counted_hours
        if total > self.capacity + EPSILON:
            layout = self.layout
            holidays = sorted({d.label for d in layout.days if d.kind == "holiday"})
            fixed = self.fixed_ids()
            advice = [self.more_days(lambda other: other.capacity >= total - EPSILON
                                     and self.fits_whole(fixed, other))]
            for setting, allowed, on in (("weekends", self.audience.weekends, self.weekends),
                                         ("evenings", self.audience.evenings, self.evenings)):
                if allowed and not on and self.layout_for(self.days, self.weekends or setting == "weekends",
                                                          self.evenings or setting == "evenings"
                                                          ).capacity > self.capacity + EPSILON:
                    when = "at weekends" if setting == "weekends" else "in the evenings"
                    advice.append(f"teach {when} as audience '{self.audience.id}' allows (remove "
                                  f"'{setting}: false' from the programme)")
            if holidays:
                advice.append(f"choose a start date away from {'、'.join(holidays)}")
            if self.fits_whole(fixed, layout):  # else fewer 学时 would not help: the fixed modules need the days
                advice.append(f"lower total_hours in the programme to {self.capacity:g} or less")
            raise PlanError(
                f"programme '{self.programme.id}' needs {total:g} 学时 but its {self.days} day(s) from "
                f"{layout.days[0].date.isoformat()} hold at most {self.capacity:g} ({len(layout.teaching)} teaching "
                f"day(s), {layout.max_hours_per_day:g} 学时 a day at most)", _either(advice))
        return float(total)

    def fixed_ids(self) -> list[str]:
        """Site visits, placed, required and extra modules with their prerequisites (unchecked: see :meth:`fix`)."""
        ids = [*(v.module for v in self.programme.site_visits), *(p.module for p in self.programme.placements),
               *self.programme.required, *self.cohort.extra]
        return list(dict.fromkeys(m for i in ids if i in self.catalog.modules for m, _ in self.closure(i)))

    def more_days(self, fits: Callable[[Layout], bool]) -> str:
        """'--set days=N' (or the programme's days) for the fewest days whose layout ``fits``; '' if none does."""
        needed = days_needed(self.catalog, self.programme, self.audience, self.cohort.start, self.days,
                             self.weekends, self.evenings, fits)
        if needed is None:
            return ""
        if self.cohort.days:
            return f"add days: {needed} in all (--set days={needed})"
        return f"add days: {needed} in all (days: {needed} in the programme, or --set days={needed} for one cohort)"

    def fits_whole(self, modules: Iterable[str], layout: Layout | None = None) -> bool:
        """Whether ``modules`` (placed and evening ones aside) fit whole into the free daytime sessions."""
        hours = tuple(sorted(self.catalog.modules[m].hours for m in modules
                             if m not in self.visits and not self.catalog.modules[m].evening))
        if layout is not None:
            return layout.leftover(hours) < EPSILON
        found = self.packs.get(hours)
        if found is None:
            found = self.packs[hours] = self.layout.leftover(hours) < EPSILON
        return found

    def room_text(self) -> str:
        layout = self.layout
        return (f"the free sessions of {len(layout.teaching)} teaching day(s) ({layout.max_hours_per_day:g} 学时 "
                f"a day, {layout.session_hours:g} a session)")

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
        if module.evening and self.layout.evening is None:
            return (f"an evening activity, but the programme has no evening sessions (audience "
                    f"'{self.audience.id}'{', evenings: false' if self.programme.evenings is False else ''})")
        return None

    def fix(self) -> None:
        fixed: dict[str, tuple[ReasonKind, str]] = {}
        for visit in self.programme.site_visits:
            day = f"day: {visit.day}" if isinstance(visit.day, str) else f"teaching day {visit.day}"
            fixed.setdefault(visit.module, ("site-visit", f"site visit ({day})"))
        for placement in self.programme.placements:
            fixed.setdefault(placement.module, ("placed", f"placed ({_placement_text(placement)})"))
        for module_id in self.programme.required:
            fixed.setdefault(module_id, ("required", "required"))
        for module_id in self.cohort.extra:
            fixed.setdefault(module_id, ("extra", "extra module requested by cohort"))
        needed_by: dict[str, list[str]] = {}
        for module_id, (kind, _) in fixed.items():
            module = self.catalog.modules[module_id]
            why = self.barred(module)
            if why:
                raise PlanError(f"{kind} module '{module_id}' is {why}", _FIXED_HINTS[kind])
            for prerequisite, dependent in self.closure(module_id):
                if prerequisite != module_id and prerequisite in fixed:
                    needed_by.setdefault(prerequisite, []).append(dependent)
                if prerequisite in self.selected:
                    continue
                if prerequisite in fixed:
                    self.selected[prerequisite] = fixed[prerequisite]
                    continue
                barred = self.barred(self.catalog.modules[prerequisite])
                if barred:
                    raise PlanError(f"module '{prerequisite}' is a prerequisite of '{dependent}' "
                                    f"({kind} module) but is {barred}",
                                    f"remove it from the cohort's exclude, or drop '{dependent}'")
                self.selected[prerequisite] = ("prerequisite", f"prerequisite of {dependent}")
        for module_id, dependents in needed_by.items():  # required and a prerequisite: say both
            kind, reason = self.selected[module_id]
            self.selected[module_id] = (kind, f"{reason} (also prerequisite of {', '.join(dict.fromkeys(dependents))})")
        self.fixed_hours = self._hours(self.selected)
        total = sum(self.fixed_hours.values())
        fewer = "require fewer modules (required, site_visits, or the cohort's extra)"
        if total > self.target - self.layout.counted_hours + EPSILON:
            more = (f"raise total_hours in the programme (the days hold {self.capacity:g})"
                    if self.programme.total_hours is not None else
                    self.more_days(lambda other: other.capacity >= total - EPSILON))
            raise PlanError(
                f"programme '{self.programme.id}': required modules, site visits, extra modules and their "
                f"prerequisites take {total:g} 学时, more than the {self.target:g} 学时 of the programme",
                _either([more, fewer]))
        self.check_evenings()
        if not self.fits_whole(self.selected):
            teaching = [m for m in self.selected if m not in self.visits]
            hours = sum(self.catalog.modules[m].hours for m in teaching)
            raise PlanError(
                f"programme '{self.programme.id}': the required modules, extra modules and their prerequisites "
                f"({len(teaching)} modules, {hours:g} 学时) do not fit whole into {self.room_text()}; a module is "
                "split only when it is longer than a session",
                _either([self.more_days(lambda other: self.fits_whole(self.selected, other)), fewer]))

    def check_evenings(self) -> None:
        """The evening activities fit whole into the evening sessions; PlanError otherwise."""
        evening = [m for m in self.selected if self.catalog.modules[m].evening]
        if self.layout.evening_leftover(self.catalog.modules[m].hours for m in evening) < EPSILON:
            return
        nights = sum(1 for day in range(len(self.layout.teaching)) if self.layout.evening_room(day) > EPSILON)
        raise PlanError(
            f"programme '{self.programme.id}': the evening activities {', '.join(evening)} do not fit whole into "
            f"its {nights} evening session(s) (at most {self.layout.evening_room(0):g} 学时 an evening)",
            _either([self.more_days(
                lambda other: other.evening_leftover(self.catalog.modules[m].hours for m in evening) < EPSILON),
                "shorten an evening activity, or leave one out"]))

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
            raise PlanError(f"programme '{self.programme.id}' cannot meet its strand mix: " + "; ".join(short),
                            self.supply_hint(strands[0]))

    def supply_hint(self, strand: str) -> str:
        """What would give ``strand`` more modules: a pool, wider formats, or new modules in the catalogue."""
        pools = [pool for pool in self.programme.pools if strand in pool.strands]
        advice = []
        if any(not pool.formats for pool in pools):
            same = [m for m in self.catalog.modules.values() if m.strand == strand and m.format != "site-visit"]
            taken = sum(1 for m in same if m.id in self.selected or m.id in self.candidates)
            others = sum(1 for m in same if self.barred(m))
            electives = sorted(m.id for m in same if m.elective and not self.barred(m) and m.id not in self.selected
                               and m.id not in self.candidates)
            aside = f"; {others} more are for other audiences or excluded" if others else ""
            advice.append(f"the catalogue has no more modules of strand '{strand}' for audience '{self.audience.id}' "
                          f"(the pools already take all {taken}{aside}): write new ones")
            if electives:
                advice.append(f"list elective modules in a pool (pools: - modules: [{', '.join(electives)}])")
        elif pools:
            advice.append(f"widen the formats of the pool for strand '{strand}', or write new modules")
        else:
            advice.append(f"add modules of strand '{strand}' to a pool (pools: - strands: [{strand}])")
        advice.append(f"lower its weight (--set mix.{strand}=…)")
        advice.append("lower total_hours in the programme" if self.programme.total_hours is not None
                      else "plan fewer days (--set days=…)")
        return _either(advice)

    def _candidates(self) -> list[str]:
        found: set[str] = set()
        for pool in self.programme.pools:
            found.update(pool.modules)
            for module in self.catalog.modules.values():
                if module.strand in pool.strands and (not pool.formats or module.format in pool.formats) \
                        and not module.elective:
                    found.add(module.id)
        found = {m for m in found if not self.catalog.modules[m].evening}  # evening activities are placed
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
                after = dict(planned)
                for strand, hours in extra.items():
                    after[strand] = after.get(strand, 0.0) + hours
                gain = current - self.error(after)
                if gain <= EPSILON or (best is not None and gain <= best[0] + EPSILON):
                    continue
                over = total + sum(extra.values()) > self.capacity + EPSILON
                if over or not self.fits_whole([*self.selected, *adding]):
                    self.capacity_skipped[candidate] = over
                    continue
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
                            self.targets.get(s, 0.0) if self.mix else planned.get(s, 0.0), planned.get(s, 0.0))
                for s in order]  # without a mix the strands are reported: planned is the target

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
                why = self.full_text(left)
            else:
                why = (f"adding {', '.join(left)} would increase the total error (overshoot, or prerequisites "
                       "in other strands)")
            notes.append(f"strand {label} is {-strand.error:.4g} 学时 under its target: {why}")
        total = sum(s.hours for s in self.strand_hours())
        if abs(total - self.target) >= SHORT_TOLERANCE:
            skipped = [c for c in self.candidates if c in self.capacity_skipped and c not in self.selected]
            why = self.full_text(skipped) if total < self.target and skipped else \
                "the closest fit to each strand's target that these module sizes allow"
            notes.append(f"planned {total:g} of the {self.target:g} 学时 targeted: {why}")
        return notes

    def full_text(self, modules: list[str]) -> str:
        """Why ``modules`` (skipped for capacity) are not in the plan."""
        if any(self.capacity_skipped.get(m) for m in modules):
            return f"adding {', '.join(modules)} would exceed the {self.capacity:g} 学时 the schedule holds"
        more = self.more_days(lambda other: self.fits_whole([*self.selected, *modules[:1]], other))
        return (f"adding {', '.join(modules)} would not fit whole into {self.room_text()}"
                + (f" ({more} to take {modules[0]})" if more else ""))

    def _hours(self, modules: Iterable[str]) -> dict[str, float]:
        hours: dict[str, float] = {}
        for module_id in modules:
            module = self.catalog.modules[module_id]
            hours[module.strand] = hours.get(module.strand, 0.0) + module.hours
        return hours


def _placement_text(placement: Placement) -> str:
    """'day 3, morning, 09:30, after x' as the programme says it."""
    parts = [f"day {placement.day}" if placement.day is not None else "",
             placement.weekday or "", placement.date.isoformat() if placement.date else "",
             placement.slot or "", placement.time or "", f"after {placement.after}" if placement.after else ""]
    return ", ".join(part for part in parts if part)


_FIXED_HINTS = {
    "site-visit": "remove it from the cohort's exclude, or from the programme's site_visits",
    "required": "remove it from the cohort's exclude or the programme's required; a site visit goes under "
                "site_visits with a day",
    "extra": "remove it from the cohort's extra (or exclude); a site visit goes under the programme's site_visits",
    "placed": "remove it from the cohort's exclude or the programme's placements; an evening activity needs a "
              "programme with evenings",
}
