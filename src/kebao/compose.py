# size: one composition (_Chooser): what it decides and, as messages, why and what would help.
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
Reasons, notes, errors and advice are :class:`~kebao.messages.Message` values
(codes and parameters), said in the plan's language where they are shown.
Deterministic: the same catalogue, programme and cohort give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .agenda import build_layout, days_needed
from .catalog import Catalog
from .errors import PlanError, did_you_mean
from .labels import SLOTS, WEEKDAY_WORDS, Word
from .layout import EPSILON, Layout
from .messages import Message, say
from .model import Cohort, Module, Placement, Programme, Split
from .plan import Plan, PlanItem, ReasonKind, StrandHours, number, strand_label

__all__ = ["EPSILON", "Plan", "PlanItem", "ReasonKind", "StrandHours", "compose", "did_you_mean", "number",
           "strand_label"]

SHORT_TOLERANCE = 0.5  # 学时 a strand may miss its target by before the request is infeasible


def compose(catalog: Catalog, programme: Programme, cohort: Cohort | None = None, *, what_fits: bool = False
            ) -> Plan:
    """The plan for ``programme`` and ``cohort`` (default: the programme's own cohort); PlanError if infeasible.

    ``what_fits``: a strand whose modules fall short of its target does not stop the plan; it takes what
    the strand has and its notes say by how much it is short (the studio's nearest plan to a request).
    """
    cohort = cohort if cohort is not None else programme.cohort
    language = cohort.language or programme.language
    try:
        _check_references(catalog, programme, cohort)
        mix = dict(cohort.mix or programme.mix or {})  # empty: a fixed agenda (schema 2), its mix only reported
        effective = cohort.model_copy(update={"language": language, "days": _days_of(programme, cohort),
                                              "mix": mix or None})
        chooser = _Chooser(catalog, programme, cohort, mix)
        chooser.fix()
        chooser.check_supply(strict=not what_fits)
        chooser.choose()
    except PlanError as error:
        raise error.in_language(language) from None
    items, strands = chooser.items(), chooser.strand_hours()
    return Plan(programme.id, effective, chooser.weekends, chooser.evenings, programme.timezone, chooser.target,
                chooser.capacity, tuple(items), tuple(strands), chooser.layout, tuple(chooser.notes(strands)),
                chooser.layout.counted_hours, tuple(chooser.parallel()))


def _check_references(catalog: Catalog, programme: Programme, cohort: Cohort) -> None:
    for field, ids in (("exclude", cohort.exclude), ("extra", cohort.extra)):
        for module in ids:
            if module not in catalog.modules:
                raise PlanError(say("error-unknown-in-cohort", cohort=cohort.id, field=field,
                                    kind=Word("模块", "module"), value=module), _did_you_mean(module, catalog.modules))
    for strand in cohort.mix or {}:
        if strand not in catalog.strands:
            raise PlanError(say("error-unknown-in-cohort", cohort=cohort.id, field="mix", kind=Word("主题", "strand"),
                                value=strand), _did_you_mean(strand, catalog.strands))


def _did_you_mean(value: str, known: Iterable[str]) -> list[Message]:
    import difflib

    matches = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
    return [say("advice-did-you-mean", options=tuple(f"'{m}'" for m in matches))] if matches else []


def day_message(day: str | int) -> Message:
    """第一个/最后一个/第 N 个教学日 for a placement's ``day``."""
    return say("day-first") if day == "first" else say("day-last") if day == "last" else say("day-number", day=day)


def placement_words(placement: Placement) -> tuple[object, ...]:
    """What a placement says, as words in either language: its day, weekday, date, session, time, order."""
    parts: list[object] = []
    if placement.day is not None:
        parts.append(day_message(placement.day))
    if placement.weekday is not None:
        parts.append(WEEKDAY_WORDS[placement.weekday])
    if placement.date is not None:
        parts.append(placement.date.isoformat())
    if placement.slot is not None:
        parts.append(Word(*SLOTS[placement.slot]))
    if placement.time is not None:
        parts.append(placement.time)
    if placement.after is not None:
        parts.append(say("after-module", module=placement.after))
    return tuple(parts)


class _Chooser:
    """The state of one composition: fixed modules, candidates, the greedy choice, and why."""

    def __init__(self, catalog: Catalog, programme: Programme, cohort: Cohort, mix: Mapping[str, float]):
        self.catalog = catalog
        self.programme = programme
        self.cohort = cohort
        self.mix = dict(mix)
        self.audience = catalog.audiences[programme.audience]
        self.days = _days_of(programme, cohort)
        self.weekends = programme.weekends if programme.weekends is not None else self.audience.weekends
        self.evenings = programme.evenings if programme.evenings is not None else self.audience.evenings
        self.layout = self.layout_for(self.days, self.weekends, self.evenings)
        self.visits = {v.module for v in self.layout.visits}  # site visits and pinned modules: placed already
        self._closure: dict[str, tuple[tuple[str, str], ...]] = {}  # module -> closure(module), made once
        self._whole: dict[str, tuple[float, ...]] = {}  # module -> the 学时 it needs whole in daytime sessions
        self._strand_hours: dict[str, tuple[str, float]] = {}  # module -> _taught(module)
        self._barred: dict[str, Message | None] = {}  # module -> barred(module)
        self.listed: dict[str, list[str | None]] = {}  # module -> the phases listing it
        for phase in programme.phases:
            for module in phase.modules:
                self.listed.setdefault(module, []).append(phase.id)
        # Evening activities take evening sessions, on top of the days' capacity; events that count take 学时 too.
        self.capacity = self.layout.capacity + self._sessionless_hours(self.fixed_ids())
        self.target = self.target_hours()
        module_target = self.target - self.layout.counted_hours
        self.targets = {strand: module_target * weight / 100 for strand, weight in mix.items()}
        self.selected: dict[str, tuple[ReasonKind, Message]] = {}  # module -> why, in plan order
        self.fixed_hours: dict[str, float] = {}
        self.candidates: list[str] = []
        self.closures: dict[str, list[str]] = {}
        self.capacity_skipped: dict[str, bool] = {}  # candidate -> True: over the 学时; False: not whole
        self.packs: dict[tuple[float, ...], bool] = {}

    def strand(self, strand: str) -> object:
        """A strand's name in either language (its id when the catalogue lacks it)."""
        found = self.catalog.strands.get(strand)
        return found.name if found is not None else strand

    # -- the calendar: capacity, whole modules, advice -------------------------

    def layout_for(self, days: int, weekends: bool, evenings: bool) -> Layout:
        return build_layout(self.catalog, self.programme, self.audience, self.cohort.start, days, weekends, evenings,
                            self.cohort.dates)

    def _sessionless_hours(self, modules: Iterable[str]) -> float:
        """学时 that take no daytime session: evening activities and self-paced modules."""
        return sum(self.catalog.modules[m].hours * self.programme.times(m) for m in modules if not self._daytime(m))

    def _daytime(self, module: str) -> bool:
        found = self.catalog.modules[module]
        return not found.evening and found.delivery != "self-paced"

    def target_hours(self) -> float:
        total = self.programme.total_hours
        if total is None and not self.mix:  # a fixed agenda: what it lists
            return sum(self.catalog.modules[m].hours * self.programme.times(m) for m in self.fixed_ids()
                       ) + self.layout.counted_hours
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
                    advice.append(say(f"advice-{setting}", audience=self.audience.id))
            if holidays:
                advice.append(say("advice-other-start", holidays=tuple(holidays)))
            if self.fits_whole(fixed, layout):  # else fewer 学时 would not help: the fixed modules need the days
                advice.append(say("advice-lower-total", hours=number(self.capacity)))
            raise PlanError(say("error-needs-more-hours", programme=self.programme.id, needed=number(total),
                                days=self.days, start=layout.days[0].date.isoformat(), capacity=number(self.capacity),
                                teaching=len(layout.teaching), per_day=number(layout.max_hours_per_day)),
                            _some(advice))
        return float(total)

    def fixed_ids(self) -> list[str]:
        """Site visits, placed, required and extra modules with their prerequisites (unchecked: see :meth:`fix`)."""
        ids = [*(v.module for v in self.programme.site_visits), *(p.module for p in self.programme.placements),
               *(m for phase in self.programme.phases for m in phase.modules), *self.programme.required,
               *(m for split in self.programme.splits for m in split.groups[0].modules), *self.cohort.extra]
        return list(dict.fromkeys(m for i in ids if i in self.catalog.modules for m, _ in self.closure(i)))

    def more_days(self, fits: Callable[[Layout], bool]) -> Message | None:
        """'add days: N in all' for the fewest days whose layout ``fits``; None if none does."""
        needed = days_needed(self.catalog, self.programme, self.audience, self.cohort.start, self.days,
                             self.weekends, self.evenings, fits, self.cohort.dates)
        if needed is None:
            return None
        return say("advice-more-days" if self.cohort.days else "advice-more-days-programme", days=needed)

    def fits_whole(self, modules: Iterable[str], layout: Layout | None = None) -> bool:
        """Whether ``modules`` (placed and evening ones aside) fit whole into the free daytime sessions."""
        return self.fits(self.whole_hours(modules), layout)

    def whole_hours(self, modules: Iterable[str]) -> list[float]:
        return [h for m in modules for h in self.whole(m)]

    def fits(self, whole_hours: list[float], layout: Layout | None = None) -> bool:
        """:meth:`fits_whole` of the modules whose :meth:`whole_hours` these are."""
        hours = tuple(sorted(whole_hours))
        if layout is not None:
            return layout.leftover(hours) < EPSILON
        found = self.packs.get(hours)
        if found is None:
            found = self.packs[hours] = self.layout.leftover(hours) < EPSILON
        return found

    def whole(self, module: str) -> tuple[float, ...]:
        """The 学时 of each time ``module`` is taught in a free daytime session (none: placed or not daytime)."""
        found = self._whole.get(module)
        if found is None:
            placed = module in self.visits or not self._daytime(module)
            found = self._whole[module] = () if placed else (self.catalog.modules[module].hours,
                                                             ) * self.programme.times(module)
        return found

    def room(self) -> Message:
        layout = self.layout
        return say("room", days=len(layout.teaching), per_day=number(layout.max_hours_per_day),
                   per_session=number(layout.session_hours))

    # -- fixed modules ------------------------------------------------------

    def barred(self, module: Module) -> Message | None:
        """Why ``module`` cannot be in this plan at all, or None (decided once per module)."""
        if module.id not in self._barred:
            self._barred[module.id] = self._why_barred(module)
        return self._barred[module.id]

    def _why_barred(self, module: Module) -> Message | None:
        if module.id in self.cohort.exclude:
            return say("barred-excluded", cohort=self.cohort.id)
        audience = self.programme.audience
        if module.audiences and audience not in module.audiences:
            return say("barred-audience", audiences=tuple(module.audiences), audience=audience)
        if module.format == "site-visit" and module.id not in {v.module for v in self.programme.site_visits}:
            return say("barred-visit-not-placed")
        if module.evening and self.layout.evening is None:
            return say("barred-evening", audience=self.audience.id)
        return None

    def fix(self) -> None:
        fixed: dict[str, tuple[ReasonKind, Message]] = {}
        for visit in self.programme.site_visits:
            fixed.setdefault(visit.module, ("site-visit", say("reason-site-visit", day=day_message(visit.day))))
        for split in self.programme.splits:  # a group's reason first, though the split may be placed
            self.check_split(split)
            for module_id in split.groups[0].modules:
                fixed.setdefault(module_id, ("placed", say("reason-in-group", split=split.title,
                                                           group=split.groups[0].title)))
        for placement in self.programme.placements:
            fixed.setdefault(placement.module, ("placed", say("reason-placed", where=placement_words(placement))))
        for phase in self.programme.phases:
            for module_id in phase.modules:
                fixed.setdefault(module_id, ("placed", say("reason-in-phase", phase=phase.title)))
        for module_id in self.programme.required:
            fixed.setdefault(module_id, ("required", say("reason-required")))
        for module_id in self.cohort.extra:
            fixed.setdefault(module_id, ("extra", say("reason-extra", cohort=self.cohort.id)))
        needed_by: dict[str, list[str]] = {}
        for module_id, (kind, _) in fixed.items():
            module = self.catalog.modules[module_id]
            why = self.barred(module)
            if why:
                raise PlanError(say("error-fixed-barred", kind=say(f"kind-{kind}"), module=module_id, why=why),
                                [say("advice-unexclude", place=_PLACES[kind])])
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
                    raise PlanError(say("error-prerequisite-barred", module=prerequisite, dependent=dependent,
                                        kind=say(f"kind-{kind}"), why=barred),
                                    [say("advice-unexclude-prerequisite", module=dependent)])
                self.selected[prerequisite] = ("prerequisite", say("reason-prerequisite", module=dependent))
        for module_id, dependents in needed_by.items():  # required and a prerequisite: say both
            kind, reason = self.selected[module_id]
            self.selected[module_id] = (kind, say("reason-also-prerequisite", reason=reason,
                                                  modules=tuple(dict.fromkeys(dependents))))
        self.fixed_hours = self._hours(self.selected)
        total = sum(self.fixed_hours.values())
        fewer = say("advice-fewer-fixed")
        if total > self.target - self.layout.counted_hours + EPSILON:
            more = (say("advice-raise-total", capacity=number(self.capacity))
                    if self.programme.total_hours is not None else
                    self.more_days(lambda other: other.capacity >= total - EPSILON))
            raise PlanError(say("error-fixed-too-many", programme=self.programme.id, fixed=number(total),
                                target=number(self.target)), _some([more, fewer]))
        self.check_evenings()
        self.check_phases()
        if not self.fits_whole(self.selected):
            teaching = [m for m in self.selected if m not in self.visits]
            hours = sum(self.catalog.modules[m].hours * self.programme.times(m) for m in teaching)
            raise PlanError(say("error-fixed-not-whole", programme=self.programme.id, count=len(teaching),
                                hours=number(hours), room=self.room()),
                            _some([self.more_days(lambda other: self.fits_whole(self.selected, other)), fewer]))

    def phase_room(self) -> dict[str | None, float]:
        """Daytime 学时 free on each phase's teaching days (None: a programme without phases)."""
        room: dict[str | None, float] = {}
        phases = [day.phase for day in self.layout.days if day.kind == "teaching"]
        for day, phase in enumerate(phases):
            room[phase] = room.get(phase, 0.0) + self.layout.free_hours(day)
        return room

    def phase_hours(self, modules: Iterable[str]) -> dict[str | None, float]:
        """Daytime 学时 ``modules`` need in each phase listing them (None: the phases listing none)."""
        listed = self.listed
        needed: dict[str | None, float] = {}
        for module in modules:
            if module in self.visits or not self._daytime(module):
                continue
            hours, times = self.catalog.modules[module].hours, self.programme.times(module)
            phases = listed.get(module, [None])
            for where in phases:  # listed in one phase: every time there; in several: once in each
                needed[where] = needed.get(where, 0.0) + hours * (times if len(phases) == 1 else 1)
        return needed

    def check_phases(self) -> None:
        """Each phase holds the modules it lists, and the phases listing none the rest; PlanError otherwise,
        naming the phase, the 学时 needed and held (before schedule finds the plan too big)."""
        if not self.programme.phases:
            return
        room = self.phase_room()
        open_phases = [p for p in self.programme.phases if p.teaches and not p.modules]
        for phase_id, needed in self.phase_hours(self.selected).items():
            phases = [p for p in self.programme.phases if p.id == phase_id] if phase_id else open_phases
            held = sum(room.get(p.id, 0.0) for p in phases)
            if needed > held + EPSILON:
                names = tuple(Word(f"{p.title.zh} ({p.id})", f"{p.title.en} ({p.id})") for p in phases)
                code = "error-phase-too-full" if phase_id else "error-open-phases-too-full"
                raise PlanError(say(code, programme=self.programme.id, phases=names, needed=number(needed),
                                    held=number(held), days=sum(1 for d in self.layout.days if d.kind == "teaching"
                                                                and d.phase in {p.id for p in phases})),
                                [say("advice-phase-days" if phases else "advice-open-phase"),
                                 say("advice-phase-move")])

    def open_room(self) -> float:
        """Daytime 学时 left in the phases listing no modules, for the modules composition chooses (inf: no
        phases)."""
        if not self.programme.phases:
            return float("inf")
        room = self.phase_room()
        held = sum(room.get(p.id, 0.0) for p in self.programme.phases if p.teaches and not p.modules)
        return held - self.phase_hours(self.selected).get(None, 0.0)

    def check_evenings(self) -> None:
        """The evening activities fit whole into the evening sessions; PlanError otherwise."""
        evening = [m for m in self.selected if self.catalog.modules[m].evening]
        hours = [self.catalog.modules[m].hours for m in evening for _ in range(self.programme.times(m))]
        if self.layout.evening_leftover(hours) < EPSILON:
            return
        nights = sum(1 for day in range(len(self.layout.teaching)) if self.layout.evening_room(day) > EPSILON)
        raise PlanError(
            say("error-evenings-full", programme=self.programme.id, modules=tuple(evening), nights=nights,
                most=number(self.layout.evening_room(0))),
            _some([self.more_days(lambda other: other.evening_leftover(hours) < EPSILON),
                say("advice-shorten-evening")]))

    def closure(self, module_id: str) -> tuple[tuple[str, str], ...]:
        """(module, the module it is needed by) in dependency order, ending with ``module_id`` itself."""
        found = self._closure.get(module_id)
        if found is None:
            found = self._closure[module_id] = self._dependency_order(module_id)
        return found

    def _dependency_order(self, module_id: str) -> tuple[tuple[str, str], ...]:
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
        return tuple(order)

    # -- candidates and feasibility ------------------------------------------

    def check_supply(self, strict: bool = True) -> None:
        self.candidates = self._candidates()
        offered: set[str] = set(self.selected)
        for candidate in self.candidates:
            offered.update(self.closures[candidate])
        supply = self._hours(offered)
        short = []
        for strand, target in self.targets.items():
            missing = target - supply.get(strand, 0.0)
            if missing > SHORT_TOLERANCE:
                short.append(say("shortfall", strand=self.strand(strand), missing=missing, target=target,
                                 weight=number(self.mix[strand]), total=number(self.target),
                                 supply=number(supply.get(strand, 0.0))))
        if short and strict:
            strands = [s for s in self.targets if self.targets[s] - supply.get(s, 0.0) > SHORT_TOLERANCE]
            raise PlanError(say("error-mix-short", programme=self.programme.id, shortfalls=tuple(short)),
                            self.supply_hint(strands[0]))

    def supply_hint(self, strand: str) -> list[Message]:
        """What would give ``strand`` more modules: a pool, wider formats, or new modules in the catalogue."""
        pools = [pool for pool in self.programme.pools if strand in pool.strands]
        name = self.strand(strand)
        advice = []
        if any(not pool.formats for pool in pools):
            same = [m for m in self.catalog.modules.values() if m.strand == strand and m.format != "site-visit"]
            taken = sum(1 for m in same if m.id in self.selected or m.id in self.candidates)
            others = sum(1 for m in same if self.barred(m))
            electives = sorted(m.id for m in same if m.elective and not self.barred(m) and m.id not in self.selected
                               and m.id not in self.candidates)
            advice.append(say("advice-write-modules", strand=name, audience=self.audience.id, taken=taken,
                              aside=say("aside-others", others=others) if others else ""))
            if electives:
                advice.append(say("advice-list-electives", modules=tuple(electives), ids=", ".join(electives)))
        elif pools:
            advice.append(say("advice-widen-formats", strand=name))
        else:
            advice.append(say("advice-add-pool", strand=name, strand_id=strand))
        advice.append(say("advice-lower-weight", strand=name, strand_id=strand))
        advice.append(say("advice-lower-total-plain") if self.programme.total_hours is not None
                      else say("advice-fewer-days"))
        return advice

    def _candidates(self) -> list[str]:
        found: set[str] = set()
        for pool in self.programme.pools:
            found.update(pool.modules)
            found.update(module.id for strand in pool.strands for module in self.catalog.strand_modules.get(strand, ())
                         if (not pool.formats or module.format in pool.formats) and not module.elective)
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
        targets = self.targets
        return sum([abs(hours.get(s, 0.0) - targets.get(s, 0.0)) for s in set(targets) | set(hours)])

    def choose(self) -> None:
        planned = self._hours(self.selected)
        total = sum(planned.values())
        open_room = self.open_room()
        phased = bool(self.programme.phases)  # else open_room is infinite: no phase to fill
        taken = self.whole_hours(self.selected)
        while True:
            current = self.error(planned)
            best: tuple[float, str, list[str]] | None = None
            gains: dict[str, float] = {}  # every candidate that would help and fits
            for candidate in self.candidates:
                if candidate in self.selected:
                    continue
                adding = [m for m in self.closures[candidate] if m not in self.selected]
                extra = self._hours(adding)
                after = dict(planned)
                for strand, hours in extra.items():
                    after[strand] = after.get(strand, 0.0) + hours
                gain = current - self.error(after)
                if gain <= EPSILON:
                    continue
                gains[candidate] = gain
                if best is not None and gain <= best[0] + EPSILON:  # no better than the best so far: not tried
                    continue
                over = total + sum(extra.values()) > self.capacity + self._sessionless_hours(adding) + EPSILON \
                    or phased and self.phase_hours(adding).get(None, 0.0) > open_room + EPSILON
                if over or not self.fits(taken + self.whole_hours(adding)):
                    self.capacity_skipped[candidate] = over
                    del gains[candidate]
                    continue
                best = (gain, candidate, adding)
            if best is None:
                return
            gain, candidate, adding = best
            for module_id in adding:
                module = self.catalog.modules[module_id]
                if module_id == candidate:
                    self.selected[module_id] = ("chosen", self.why_chosen(module, planned, gains, gain))
                else:
                    needed_by = next(d for m, d in self.closure(candidate) if m == module_id)
                    self.selected[module_id] = ("prerequisite", say("reason-prerequisite", module=needed_by))
                planned[module.strand] = planned.get(module.strand, 0.0) + module.hours
                total += module.hours
            taken += self.whole_hours(adding)
            if phased:
                open_room -= self.phase_hours(adding).get(None, 0.0)

    def why_chosen(self, module: Module, planned: Mapping[str, float], gains: Mapping[str, float],
                   gain: float) -> Message:
        """What was weighed: what the strand lacked, how many candidates suited the audience, why this one."""
        strand = module.strand
        rivals = [c for c in self.candidates if c not in self.selected and c != module.id
                  and self.catalog.modules[c].strand == strand]
        tied = tuple(c for c in rivals if c in gains and abs(gains[c] - gain) <= EPSILON)
        basis = (say("basis-tie", others=tied) if tied else say("basis-only") if not rivals
                 else say("basis-closest", hours=number(module.hours)))
        return say("reason-chosen", strand=self.strand(strand), strand_id=strand,
                   lacked=number(self.targets.get(strand, 0.0) - planned.get(strand, 0.0)),
                   candidates=len(rivals) + 1, basis=basis)

    # -- results --------------------------------------------------------------

    def items(self) -> list[PlanItem]:
        modules, grouped, times = self.catalog.modules, self.programme.grouped, self.programme.times
        phases: dict[str, list[Message]] = {}  # a module listed in phases: why, phase by phase
        for phase in self.programme.phases:
            for module in phase.modules:
                phases.setdefault(module, []).append(say("reason-in-phase", phase=phase.title))

        def why(module: str, reason: Message, time: int) -> Message:
            if times(module) == 1:
                return reason
            if reason.code == "reason-in-phase" and len(phases[module]) == times(module):  # once in each
                reason = phases[module][time - 1]
            return say("reason-repeated", reason=reason, time=time, times=times(module))

        return [PlanItem(m, modules[m].strand, modules[m].hours, kind, why(m, reason, n),
                         grouped[m][1].id if m in grouped else None, n, times(m))
                for m, (kind, reason) in self.selected.items() for n in range(1, times(m) + 1)]

    def parallel(self) -> list[PlanItem]:
        """The modules of each split's other groups (taught side by side with the first group's)."""
        modules = self.catalog.modules
        return [PlanItem(m, modules[m].strand, modules[m].hours, "placed",
                         say("reason-in-group", split=split.title, group=group.title), group.id)
                for split in self.programme.splits for group in split.groups[1:] for m in group.modules]

    def check_split(self, split: Split) -> None:
        """Every group of ``split`` has the same 学时 (a learner is in one), and may take its modules."""
        hours = {group.id: sum(self.catalog.modules[m].hours for m in group.modules) for group in split.groups}
        if len(set(hours.values())) > 1:
            raise PlanError(say("error-split-hours", programme=self.programme.id, split=split.id,
                                hours=", ".join(f"{g} {number(h)}" for g, h in hours.items())),
                            [say("advice-split-hours")])
        for group in split.groups[1:]:
            for module_id in group.modules:
                why = self.barred(self.catalog.modules[module_id])
                if why:
                    raise PlanError(say("error-fixed-barred", kind=say("kind-placed"), module=module_id, why=why),
                                    [say("advice-unexclude", place=_PLACES["placed"])])

    def strand_hours(self) -> list[StrandHours]:
        planned = self._hours(self.selected)
        order = list(self.targets) + sorted(set(planned) - set(self.targets))
        return [StrandHours(s, self.catalog.strands[s].name.zh if s in self.catalog.strands else s,
                            self.targets.get(s, 0.0) if self.mix else planned.get(s, 0.0), planned.get(s, 0.0))
                for s in order]  # without a mix the strands are reported: planned is the target

    def notes(self, strands: list[StrandHours]) -> list[Message]:
        """Why a strand (of :meth:`strand_hours`) misses its target by more than one module's 学时, or the total
        its target."""
        notes = []
        for strand in strands:
            granularity = max((self.catalog.modules[m].hours for m in [*self.selected, *self.candidates]
                               if self.catalog.modules[m].strand == strand.id), default=0.0)
            left = [c for c in self.candidates if c not in self.selected
                    and self.catalog.modules[c].strand == strand.id]
            exhausted = strand.error < -SHORT_TOLERANCE and not left  # only a what-fits plan gets here
            if abs(strand.error) <= granularity + EPSILON and not exhausted:
                continue
            name = self.strand(strand.id)
            if strand.error > 0:
                fixed = self.fixed_hours.get(strand.id, 0.0)
                notes.append(say("note-strand-over", strand=name, over=strand.error, fixed=number(fixed),
                                 balance=number(strand.hours - fixed)))
                continue
            if not left:
                why = say("why-no-more-modules")
            elif any(c in self.capacity_skipped for c in left):
                why = self.not_taken(left)
            else:
                why = say("why-worse", modules=tuple(left))
            notes.append(say("note-strand-under", strand=name, under=-strand.error, why=why))
        notes += self.split_notes()
        total = sum(s.hours for s in strands)
        if abs(total - self.target) >= SHORT_TOLERANCE:
            skipped = [c for c in self.candidates if c in self.capacity_skipped and c not in self.selected]
            why = self.not_taken(skipped) if total < self.target and skipped else say("why-closest-fit")
            notes.append(say("note-total", planned=number(total), target=number(self.target), why=why))
        return notes

    def split_notes(self) -> list[Message]:
        """Where a split's groups differ in strand hours: each group's (the strand table counts the first's)."""
        notes = []
        for split in self.programme.splits:
            by_group = [(group.title, self._hours(group.modules)) for group in split.groups]
            if all(hours == by_group[0][1] for _, hours in by_group):
                continue
            groups = tuple(say("group-strands", group=title, strands=tuple(
                say("strand-hours", strand=self.strand(strand), hours=number(hours))
                for strand, hours in hours.items())) for title, hours in by_group)
            notes.append(say("note-split-strands", split=split.title, first=split.groups[0].title, groups=groups))
        return notes

    def not_taken(self, modules: list[str]) -> Message:
        """Why ``modules`` (skipped for capacity) are not in the plan."""
        if any(self.capacity_skipped.get(m) for m in modules):
            return say("why-over-capacity", modules=tuple(modules), capacity=number(self.capacity))
        more = self.more_days(lambda other: self.fits_whole([*self.selected, *modules[:1]], other))
        return say("why-not-whole", modules=tuple(modules), room=self.room(),
                   more=say("why-more-to-take", advice=more, module=modules[0]) if more else "")

    def _hours(self, modules: Iterable[str]) -> dict[str, float]:
        hours: dict[str, float] = {}
        for module_id in modules:
            strand, taught = self._taught(module_id)
            hours[strand] = hours.get(strand, 0.0) + taught
        return hours

    def _taught(self, module_id: str) -> tuple[str, float]:
        """A module's strand and the 学时 it is taught in all (its 学时 times its repeats)."""
        found = self._strand_hours.get(module_id)
        if found is None:
            module = self.catalog.modules[module_id]
            found = self._strand_hours[module_id] = (module.strand, module.hours * self.programme.times(module_id))
        return found


def _days_of(programme: Programme, cohort: Cohort) -> int:
    """The cohort's days (or meetings): its own dates, its ``days``, else the programme's."""
    return len(cohort.dates) or cohort.days or programme.days


def _some(advice: Iterable[Message | None]) -> list[Message]:
    return [message for message in advice if message is not None]


_PLACES = {"site-visit": Word("现场教学安排（site_visits）", "site_visits"),
           "required": Word("必修模块（required）", "required"),
           "extra": Word("追加模块（班次的 extra）", "cohort's extra"),
           "placed": Word("指定安排（placements）", "placements")}
