"""Checks that need the whole catalogue: references between files, prerequisite cycles, audiences, data files,
handouts.

:func:`check_catalog` is what ``load_catalog`` runs once every file has been
read; :func:`check_programme` makes the same checks for one programme, e.g. a
draft in the design studio, on a catalogue that holds it (``Catalog.with_programme``).
Each problem is said as messages (``why`` and ``advice``), so the studio shows it in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from . import paths
from .errors import Problem, did_you_mean, suggest
from .labels import FORMATS, Word
from .messages import say
from .model import Case, Cohort, Model, Module, Programme, Strand
from .yamlio import Document, PathKey, dotted

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog

# The kinds of things a file refers to by id, as words.
KINDS = {"strand": Word("主题", "strand"), "audience": Word("培训对象", "audience"), "module": Word("模块", "module"),
         "case": Word("案例", "case")}


def check_catalog(catalog: Catalog, lost: set[str], broken: set[str]) -> list[Problem]:
    """Every cross-file problem of ``catalog``.

    ``lost`` holds the kinds whose file could not be read at all and ``broken``
    the "kind:id" of objects defined but invalid (already reported): references
    to them are not reported again as unknown.
    """
    problems: list[Problem] = []
    _CrossCheck(catalog, problems, lost, broken).run()
    return problems


def check_programme(catalog: Catalog, programme: Programme) -> list[Problem]:
    """The cross-checks ``load_catalog`` makes for one programme (references, site visits, audiences).

    For a programme the catalogue knows how to locate but that is not in its
    files yet, e.g. a draft in the design studio (see ``Catalog.with_programme``).
    """
    problems: list[Problem] = []
    _CrossCheck(catalog, problems, set(), set())._programme(programme)
    return problems


def check_cohort_file(doc: Document, cohort: Cohort, programme: Programme, strands: Mapping[str, Strand],
                      modules: Mapping[str, Module]) -> list[Problem]:
    """A cohort file ``cohorts/<programme>/<id>.yml``: its id is its file's name and not the programme's own
    cohort's; the strands and modules it names exist."""
    file = Path(doc.file)
    problems = []
    if cohort.id != file.stem:
        problems.append(doc.problem(("id",), f"the id '{cohort.id}' is not the file's name ({file.name})",
                                    f"write 'id: {file.stem}', or rename the file to {cohort.id}.yml"))
    elif cohort.id == programme.cohort.id:
        where = programme.source.file.name if programme.source else f"{programme.id}.yml"
        problems.append(doc.problem(("id",), f"'{cohort.id}' is the id of programme '{programme.id}''s own cohort "
                                    f"({where})", "give this cohort another id and name the file after it"))
    named: list[tuple[PathKey, str, Mapping[str, object], str]] = [
        (("mix", strand), strand, strands, "strand") for strand in cohort.mix or {}]
    named += [((key, index), module, modules, "module") for key in ("exclude", "extra")
              for index, module in enumerate(getattr(cohort, key))]
    for path, value, known, kind in named:
        if value not in known:
            problems.append(doc.problem(path, f"unknown {kind} '{value}'",
                                        did_you_mean(value, known) or f"see the {kind}s in curricula/"))
    return problems


class _CrossCheck:
    """Checks that need the whole catalogue: references, cycles, audiences, data files."""

    def __init__(self, catalog: Catalog, problems: list[Problem], lost: set[str], broken: set[str]):
        self.c = catalog
        self.problems = problems
        self.lost = lost  # kinds whose file could not be read at all
        self.broken = broken  # "kind:id" defined but invalid; already reported

    def run(self) -> None:
        for module in self.c.modules.values():
            self._module(module)
        for case in self.c.cases.values():
            self._case(case)
        for programme in self.c.programmes.values():
            self._programme(programme)
        self._cycles()

    def _ref(self, obj: Model, path: tuple[str | int, ...], value: str, known: Mapping[str, Any], kind: str) -> bool:
        if value in known:
            return True
        if kind in self.lost or f"{kind}:{value}" in self.broken:
            return False
        word = KINDS[kind]
        advice = suggest(value, known) or (say("advice-known-ids", kind=word, ids=sorted(known)[:12]) if known
                                           else say("advice-none-defined", kind=word))
        self.problems.append(Problem.from_message(self.c.locate(obj, *path), dotted(path),
                                                  say("problem-unknown-ref", kind=word, value=value), advice))
        return False

    def _refs(self, obj: Model, name: str, values: list[str], known: Mapping[str, Any], kind: str) -> None:
        for index, value in enumerate(values):
            self._ref(obj, (name, index), value, known, kind)

    def _module(self, m: Module) -> None:
        self._ref(m, ("strand",), m.strand, self.c.strands, "strand")
        self._refs(m, "audiences", m.audiences, self.c.audiences, "audience")
        self._refs(m, "prerequisites", m.prerequisites, self.c.modules, "module")
        self._refs(m, "cases", m.cases, self.c.cases, "case")
        if m.id in m.prerequisites:
            self.problems.append(Problem.from_message(self.c.locate(m, "prerequisites"), "prerequisites",
                                                      say("problem-own-prerequisite")))
        for index, material in enumerate(m.materials):
            handout = getattr(material, "handout", None)
            if handout is not None and handout not in self.c.handouts:
                file = self.c.handout_file(handout).relative_to(self.c.root).as_posix()
                self.problems.append(Problem.from_message(
                    self.c.locate(m, "materials", index, "handout"), f"materials[{index}].handout",
                    say("problem-handout-missing", material=str(material), file=file),
                    suggest(handout, self.c.handouts) or say("advice-write-handout", file=file)))

    def _case(self, case: Case) -> None:
        self._refs(case, "strands", case.strands, self.c.strands, "strand")
        self._refs(case, "audiences", case.audiences, self.c.audiences, "audience")
        for index, name in enumerate(case.data):
            pure = PurePosixPath(name)
            if pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name:
                self.problems.append(Problem.from_message(self.c.locate(case, "data", index), f"data[{index}]",
                                                          say("problem-data-outside", name=name),
                                                          say("advice-data-path")))
            elif not (self.c.root / paths.CASES / pure).is_file():
                self.problems.append(Problem.from_message(self.c.locate(case, "data", index), f"data[{index}]",
                                                          say("problem-data-missing", name=name),
                                                          say("advice-add-data")))

    def _programme(self, p: Programme) -> None:
        c = self.c
        audience_ok = self._ref(p, ("audience",), p.audience, c.audiences, "audience")
        for strand in p.mix or {}:
            self._ref(p, ("mix", strand), strand, c.strands, "strand")
        self._refs(p, "required", p.required, c.modules, "module")
        for i, placement in enumerate(p.placements):
            self._ref(p, ("placements", i, "module"), placement.module, c.modules, "module")
            if placement.after is not None:
                self._ref(p, ("placements", i, "after"), placement.after, c.modules, "module")
        for i, phase in enumerate(p.phases):
            for j, module in enumerate(phase.modules):
                if not self._ref(p, ("phases", i, "modules", j), module, c.modules, "module"):
                    continue
                self_paced = c.modules[module].delivery == "self-paced"
                if self_paced != (phase.mode == "self-paced"):
                    self.problems.append(Problem.from_message(
                        c.locate(p, "phases", i, "modules", j), f"phases[{i}].modules[{j}]",
                        say("problem-self-paced-in-class" if self_paced else "problem-class-in-self-paced",
                            module=module, phase=phase.id),
                        say("advice-self-paced-phase" if self_paced else "advice-class-phase")))
        for i, split in enumerate(p.splits):
            for j, group in enumerate(split.groups):
                for k, module in enumerate(group.modules):
                    self._ref(p, ("splits", i, "groups", j, "modules", k), module, c.modules, "module")
        for i, pool in enumerate(p.pools):
            for j, module in enumerate(pool.modules):
                self._ref(p, ("pools", i, "modules", j), module, c.modules, "module")
            for j, strand in enumerate(pool.strands):
                self._ref(p, ("pools", i, "strands", j), strand, c.strands, "strand")
        for i, visit in enumerate(p.site_visits):
            if self._ref(p, ("site_visits", i, "module"), visit.module, c.modules, "module") \
                    and c.modules[visit.module].format != "site-visit":
                form = c.modules[visit.module].format
                self.problems.append(Problem.from_message(
                    c.locate(p, "site_visits", i, "module"), f"site_visits[{i}].module",
                    say("problem-not-a-visit", module=visit.module, format=Word(FORMATS[form][0], form)),
                    say("advice-visits-only")))
        seen: set[str] = set()
        for i, outcome in enumerate(p.outcomes):
            if outcome.id in seen:
                self.problems.append(Problem.from_message(c.locate(p, "outcomes", i, "id"), f"outcomes[{i}].id",
                                                          say("problem-outcome-twice", outcome=outcome.id)))
            seen.add(outcome.id)
            for j, module in enumerate(outcome.modules):
                self._ref(p, ("outcomes", i, "modules", j), module, c.modules, "module")
        if p.cohort.mix:
            for strand in p.cohort.mix:
                self._ref(p, ("cohort", "mix", strand), strand, c.strands, "strand")
        self._refs_nested(p, ("cohort", "exclude"), p.cohort.exclude)
        self._refs_nested(p, ("cohort", "extra"), p.cohort.extra)
        self._refs_nested(p, ("completion", "required"), p.completion.required)
        if audience_ok:
            for index, module_id in enumerate(p.required):
                found = c.modules.get(module_id)
                if found is not None and found.audiences and p.audience not in found.audiences:
                    self.problems.append(Problem.from_message(
                        c.locate(p, "required", index), f"required[{index}]",
                        say("problem-not-for-audience", module=module_id, audience=p.audience),
                        say("advice-audience-or-other", audience=p.audience)))

    def _refs_nested(self, p: Programme, path: tuple[str, str], values: list[str]) -> None:
        for index, value in enumerate(values):
            self._ref(p, path + (index,), value, self.c.modules, "module")

    def _cycles(self) -> None:
        modules = self.c.modules
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        reported: set[frozenset[str]] = set()

        def visit(module_id: str, trail: list[str]) -> None:
            state[module_id] = 1
            trail.append(module_id)
            for prerequisite in modules[module_id].prerequisites:
                if prerequisite not in modules or prerequisite == module_id:
                    continue
                if state.get(prerequisite) == 1:
                    cycle = trail[trail.index(prerequisite):] + [prerequisite]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        first = modules[cycle[0]]
                        self.problems.append(Problem.from_message(
                            self.c.locate(first, "prerequisites"), "prerequisites",
                            say("problem-prerequisite-cycle", cycle=" -> ".join(cycle)), say("advice-break-cycle")))
                elif prerequisite not in state:
                    visit(prerequisite, trail)
            trail.pop()
            state[module_id] = 2

        for module_id in sorted(modules):
            if module_id not in state:
                visit(module_id, [])
