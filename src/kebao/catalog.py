"""Load a curriculum repository into a cross-checked :class:`Catalog`.

Layout read (relative to the repository root)::

    curricula/strands.yml        strands:   [ {id, name, colour}, … ]
    curricula/audiences.yml      audiences: [ {id, name, max_hours_per_day, …}, … ]
    curricula/modules/<id>.md    one module: YAML front matter + session plan
    curricula/programmes/<id>.yml one programme spec
    curricula/holidays.yml       optional: holiday arrangements for years chinesecalendar lacks
    cases/<id>.md                one case study (MyST notebook)

Every problem in every file is collected before :class:`ContentError` is
raised, so ``kebao validate`` can list them all at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .content import trainer_note_blocks
from .errors import ContentError, Location, Problem, UnclosedTrainerNote, UsageError, did_you_mean
from .model import (
    SCHEMA_VERSION,
    Audience,
    Case,
    Entity,
    HolidayCalendar,
    Model,
    Module,
    Programme,
    Strand,
    id_problem,
    slugify_hint,
)
from .yamlio import Document, PathKey, dotted, read_front_matter, read_yaml, yaml11_rewrites

M = TypeVar("M", bound=Entity)

# Notebook metadata a case may carry beside its kebao fields (jupytext writes these).
NOTEBOOK_METADATA = ("jupytext", "kernelspec")


@dataclass(frozen=True)
class Catalog:
    """Everything in a curriculum repository, typed and cross-checked."""

    root: Path
    strands: Mapping[str, Strand]
    audiences: Mapping[str, Audience]
    modules: Mapping[str, Module]
    cases: Mapping[str, Case]
    programmes: Mapping[str, Programme]
    _places: Mapping[tuple[str, str], tuple[Document, PathKey]] = field(repr=False, default_factory=dict)
    holidays: HolidayCalendar | None = None  # curricula/holidays.yml, when there is one

    def locate(self, obj: Model, *path: str | int) -> Location:
        """Source location of ``obj`` or of one of its fields."""
        place = self._places.get((type(obj).__name__, getattr(obj, "id", "")))
        if place is None:
            return obj.source or Location(self.root)
        doc, base = place
        return doc.locate(base + tuple(path))

    def programme(self, programme_id: str) -> Programme:
        """The programme with this id; UsageError with a did-you-mean when there is none."""
        if programme_id not in self.programmes:
            known = sorted(self.programmes)
            raise UsageError(f"unknown programme '{programme_id}'", did_you_mean(programme_id, known)
                             or (f"programmes: {', '.join(known)}" if known else "no programmes are defined yet"))
        return self.programmes[programme_id]

    def files(self) -> list[Path]:
        """Every content file the catalogue was read from, sorted."""
        files = {doc.file for doc, _ in self._places.values()}
        if self.holidays is not None:
            files.add(self.root / "curricula" / "holidays.yml")
        return sorted(files)

    def portable(self) -> Catalog:
        """This catalogue without field-level source positions, for sending to another process.

        ``locate(obj)`` still names each object's file and line; ``locate(obj, field)`` and
        :meth:`files` need the positions and are for the process that loaded the files.
        """
        return dataclasses.replace(self, _places={})


def load_catalog(root: str | Path = ".") -> Catalog:
    """Read and cross-check the repository at ``root``; raise ContentError listing every problem."""
    return _Loader(Path(root)).load()


def content_signature(root: str | Path) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every file ``load_catalog`` reads or checks; equal signatures, equal catalogues."""
    root = Path(root)
    curricula = root / "curricula"
    files = [curricula / "strands.yml", curricula / "audiences.yml", curricula / "holidays.yml",
             *(curricula / "modules").glob("*.md"),
             *(curricula / "programmes").glob("*.y*ml"), *(root / "cases").rglob("*")]
    stats = []
    for file in sorted(files):
        try:
            stat = file.stat()
        except OSError:
            continue
        stats.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


_LOADED: dict[Path, tuple[tuple[tuple[str, int, int], ...], Catalog]] = {}


def load_catalog_cached(root: str | Path = ".") -> Catalog:
    """``load_catalog``, reusing this process's last catalogue of ``root`` while no content file changed.

    For processes that build many packs in a row (batch workers); one stat per file instead of a reload.
    """
    where = Path(root).resolve()
    signature = content_signature(where)
    cached = _LOADED.get(where)
    if cached is not None and cached[0] == signature:
        return cached[1]
    catalog = load_catalog(where)
    _LOADED[where] = (signature, catalog)
    return catalog


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.places: dict[tuple[str, str], tuple[Document, PathKey]] = {}
        self.bodies: dict[Path, tuple[str, int]] = {}  # body text, its first line in the file
        self.unreadable: set[Path] = set()
        self.broken: set[str] = set()  # "kind:id" of objects that exist but failed validation

    # -- reading ----------------------------------------------------------

    def load(self) -> Catalog:
        curricula = self.root / "curricula"
        if not curricula.is_dir():
            raise ContentError([Problem(Location(self.root), "", "no curricula/ folder here",
                                        "run kebao in a curriculum repository, or pass its path")])
        strands = self._list_file(curricula / "strands.yml", "strands", Strand)
        audiences = self._list_file(curricula / "audiences.yml", "audiences", Audience)
        modules = self._stem_files(sorted((curricula / "modules").glob("*.md")), Module, front_matter=True)
        cases = self._stem_files(sorted((self.root / "cases").glob("*.md")), Case, front_matter=True,
                                 namespace="kebao")
        programmes = self._stem_files(sorted((curricula / "programmes").glob("*.yml")), Programme)
        for extra in sorted((curricula / "programmes").glob("*.yaml")):
            self.problems.append(Problem(Location(extra), "", "programme files end in .yml",
                                         f"rename it to {extra.stem}.yml"))
        holidays = self._holidays(curricula / "holidays.yml")
        catalog = Catalog(self.root, strands, audiences, modules, cases, programmes, self.places, holidays)
        # A kind whose only file could not be read would make every reference to it look unknown.
        lost = {kind for kind, file in (("strand", curricula / "strands.yml"),
                                        ("audience", curricula / "audiences.yml")) if file in self.unreadable}
        _CrossCheck(catalog, self.problems, lost, self.broken).run()
        if self.problems:
            raise ContentError(self.problems)
        return catalog

    def _holidays(self, file: Path) -> HolidayCalendar | None:
        """The optional holiday arrangements (see model.HolidayCalendar)."""
        if not file.exists():
            return None
        doc = self._read(file, front_matter=False)
        if doc is None:
            return None
        try:
            return HolidayCalendar.model_validate(doc.data)
        except ValidationError as error:
            self.problems.extend(problems_from_validation(error, HolidayCalendar, doc.data, doc, ()))
            return None

    def _list_file(self, file: Path, key: str, cls: type[M]) -> dict[str, M]:
        doc = self._read(file, front_matter=False)
        if doc is None:
            return {}
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            self.problems.append(doc.problem((), f"expected a mapping with a '{key}:' list",
                                             f"start the file with '{key}:' and list one item per '- id: …'"))
            return {}
        for extra in sorted(set(data) - {key, "schema"}):
            self.problems.append(doc.problem((extra,), f"unknown field '{extra}'",
                                             f"this file holds only 'schema' and '{key}'"))
        self._check_schema(doc, data)
        items: dict[str, M] = {}
        for index, item in enumerate(data[key]):
            obj = self._validate(cls, item, doc, (key, index))
            if obj is None:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.broken.add(f"{cls.__name__.lower()}:{item['id']}")
                continue
            if obj.id in items:
                first = self.places[(cls.__name__, obj.id)][0].locate(self.places[(cls.__name__, obj.id)][1])
                self.problems.append(doc.problem((key, index, "id"), f"duplicate id '{obj.id}' "
                                                 f"(first defined on line {first.line})", "give each one its own id"))
                continue
            items[obj.id] = obj
            self.places[(cls.__name__, obj.id)] = (doc, (key, index))
        return items

    def _stem_files(self, files: Iterable[Path], cls: type[M], front_matter: bool = False,
                    namespace: str | None = None) -> dict[str, M]:
        """Files named <id>; with ``namespace``, kebao's fields sit under that key (case notebooks)."""
        items: dict[str, M] = {}
        for file in files:
            problem = id_problem(file.stem)
            if problem:
                self.problems.append(Problem(Location(file), "id", f"file name '{file.name}' is not a "
                                             f"valid id: {problem}", slugify_hint(file.stem)))
                continue
            self.broken.add(f"{cls.__name__.lower()}:{file.stem}")  # until it validates
            doc = self._read(file, front_matter)
            if doc is None:
                continue
            if not isinstance(doc.data, dict):
                self.problems.append(doc.problem((), "expected a mapping of fields"))
                continue
            base: PathKey = ()
            fields: dict[str, Any] = doc.data
            if namespace is not None:  # a notebook: JupyterLab may save its front matter through jupytext
                self.problems.extend(yaml11_rewrites(doc))
                namespaced = self._namespaced(doc, namespace)
                if namespaced is None:
                    continue
                fields, base = namespaced, (namespace,)
            if "id" in fields:
                self.problems.append(doc.problem(base + ("id",), "the id is the file name; remove 'id:'",
                                                 f"rename the file to change the id ('{file.stem}')"))
                continue
            data = dict(fields, id=file.stem)
            if front_matter:
                if "body" in fields:
                    self.problems.append(doc.problem(base + ("body",), "'body' is the text after the front matter",
                                                     "remove 'body:' from the front matter"))
                    continue
                body, body_line = self.bodies[file]
                data["body"] = body
                self._check_trainer_notes(file, body, body_line)
            obj = self._validate(cls, data, doc, base)
            if obj is not None:
                items[obj.id] = obj
                self.places[(cls.__name__, obj.id)] = (doc, base)
                self.broken.discard(f"{cls.__name__.lower()}:{obj.id}")
        return items

    def _read(self, file: Path, front_matter: bool) -> Document | None:
        if not file.is_file():
            self.unreadable.add(file)
            self.problems.append(Problem(Location(file), "", "file is missing",
                                         "create it; see docs/content.md for its fields"))
            return None
        try:
            if front_matter:
                parsed = read_front_matter(file, collect=True)
                self.bodies[file] = (parsed.body, parsed.body_line)
                doc = parsed.meta
            else:
                doc = read_yaml(file, collect=True)
        except ContentError as error:
            self.problems.extend(error.problems)
            self.unreadable.add(file)
            return None
        self.problems.extend(doc.problems)
        return doc

    def _namespaced(self, doc: Document, namespace: str) -> dict[str, Any] | None:
        """kebao's fields of a notebook's front matter; the rest is notebook metadata."""
        for key in sorted(set(doc.data) - {namespace, *NOTEBOOK_METADATA}):
            self.problems.append(doc.problem((key,), f"unknown field '{key}'",
                                             f"kebao's fields go under '{namespace}:'; besides it a case holds "
                                             f"only notebook metadata ({', '.join(NOTEBOOK_METADATA)})"))
        if "kernelspec" not in doc.data:
            self.problems.append(doc.problem((), "a case is a MyST notebook and needs 'kernelspec'",
                                             "add kernelspec: {name: python3, display_name: Python 3, "
                                             "language: python}"))
        fields = doc.data.get(namespace)
        if not isinstance(fields, dict):
            self.problems.append(doc.problem((namespace,) if namespace in doc.data else (),
                                             f"missing '{namespace}:' with the case's fields",
                                             "see docs/content.md"))
            return None
        return fields

    def _check_trainer_notes(self, file: Path, body: str, body_line: int) -> None:
        try:
            trainer_note_blocks(body)
        except UnclosedTrainerNote as error:
            self.problems.append(Problem(Location(file, body_line + error.line - 1, 1), "body",
                                         "trainer note is never closed", "end it with a ':::' line"))

    def _check_schema(self, doc: Document, data: dict[str, Any]) -> None:
        version = data.get("schema", SCHEMA_VERSION)
        if str(version) != str(SCHEMA_VERSION):
            self.problems.append(doc.problem(("schema",), f"content schema {version} is not supported",
                                             f"this kebao reads schema {SCHEMA_VERSION}"))

    def _validate(self, cls: type[M], data: Any, doc: Document, base: PathKey) -> M | None:
        try:
            obj: M = cls.model_validate(data)
        except ValidationError as error:
            already = {p.field for p in doc.problems}  # e.g. an alias dropped: don't report it twice
            for detail in error.errors(include_url=False):
                problem = _problem_from(detail, cls, data, doc, base)
                if problem.field not in already or not problem.field:
                    self.problems.append(problem)
            return None
        obj._source = doc.locate(base)
        return obj


def problems_from_validation(error: ValidationError, cls: type[BaseModel], data: Any, doc: Document,
                             base: PathKey = ()) -> list[Problem]:
    """Every pydantic error of validating ``data`` (read from ``doc``) as located Problems."""
    return [_problem_from(detail, cls, data, doc, base) for detail in error.errors(include_url=False)]


def _problem_from(detail: Any, cls: type[BaseModel], data: Any, doc: Document, base: PathKey) -> Problem:
    """Turn one pydantic error into a Problem at the right line, in plain words."""
    path: list[str | int] = []
    node = data
    for part in detail["loc"]:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and detail["type"] in ("missing", "extra_forbidden") and isinstance(part, str):
            path.append(part)
            break
    kind, message, hint = detail["type"], detail["msg"], ""
    name = path[-1] if path else ""
    if kind == "missing":
        message = f"missing required field '{name}'"
        hint = "add it; see docs/content.md"
    elif kind == "extra_forbidden":
        allowed = _fields_at(cls, path[:-1])
        message = f"unknown field '{name}'"
        hint = did_you_mean(str(name), allowed) or (f"allowed: {', '.join(sorted(allowed))}" if allowed else "")
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif isinstance(node, str) and kind.endswith(("_parsing", "_type", "_from_datetime_parsing")):
        message = f"{message}, got '{node}'"
    hint = hint or VALIDATION_HINTS.get(kind, "")
    location_path = base + tuple(path)
    return Problem(doc.locate(location_path), dotted(location_path), message, hint)


# Advice per pydantic error type, shared by content files and --set cohort settings.
VALIDATION_HINTS = {
    "bool_type": "write true or false",
    "int_from_float": "write a whole number",
    "date_from_datetime_inexact": "write a real date as YYYY-MM-DD",
    "bool_parsing": "write true or false",
    "date_from_datetime_parsing": "write a real date as YYYY-MM-DD",
    "date_parsing": "write a real date as YYYY-MM-DD",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "string_type": "put the text in quotes",
    "list_type": "write a list, e.g. [a, b] or one '- item' per line",
    "dict_type": "write a mapping of 'key: value' lines",
    "model_type": "write a mapping of 'key: value' lines",
}


def _fields_at(cls: type[BaseModel], path: list[str | int]) -> list[str]:
    """Field names (as written in YAML) of the model found at ``path`` inside ``cls``."""
    current: Any = cls
    for part in path:
        current = _model_in(current)
        if current is None:
            return []
        if isinstance(part, str):
            info = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
            if info is None:
                return []
            current = info.annotation
    model = _model_in(current)
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items() if n not in ("id", "body")]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None




def check_programme(catalog: Catalog, programme: Programme) -> list[Problem]:
    """The cross-checks ``load_catalog`` makes for one programme (references, site visits, audiences).

    For a programme the catalogue knows how to locate but that is not in its
    files yet, e.g. a draft in the design studio.
    """
    problems: list[Problem] = []
    _CrossCheck(catalog, problems, set(), set())._programme(programme)
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
        hint = did_you_mean(value, known) or (f"known {kind}s: {', '.join(sorted(known)[:12])}"
                                                if known else f"no {kind}s are defined yet")
        self.problems.append(Problem(self.c.locate(obj, *path), dotted(path), f"unknown {kind} '{value}'", hint))
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
            self.problems.append(Problem(self.c.locate(m, "prerequisites"), "prerequisites",
                                         "a module cannot be its own prerequisite"))

    def _case(self, case: Case) -> None:
        self._refs(case, "strands", case.strands, self.c.strands, "strand")
        for index, name in enumerate(case.data):
            pure = PurePosixPath(name)
            if pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name:
                self.problems.append(Problem(self.c.locate(case, "data", index), f"data[{index}]",
                                             f"'{name}' must be a path inside cases/",
                                             "write it like 'data/my-file.csv'"))
            elif not (self.c.root / "cases" / pure).is_file():
                self.problems.append(Problem(self.c.locate(case, "data", index), f"data[{index}]",
                                             f"data file 'cases/{name}' does not exist",
                                             "add the file or fix the path"))

    def _programme(self, p: Programme) -> None:
        c = self.c
        audience_ok = self._ref(p, ("audience",), p.audience, c.audiences, "audience")
        for strand in p.mix:
            self._ref(p, ("mix", strand), strand, c.strands, "strand")
        self._refs(p, "required", p.required, c.modules, "module")
        for i, pool in enumerate(p.pools):
            for j, module in enumerate(pool.modules):
                self._ref(p, ("pools", i, "modules", j), module, c.modules, "module")
            for j, strand in enumerate(pool.strands):
                self._ref(p, ("pools", i, "strands", j), strand, c.strands, "strand")
        for i, visit in enumerate(p.site_visits):
            if self._ref(p, ("site_visits", i, "module"), visit.module, c.modules, "module") \
                    and c.modules[visit.module].format != "site-visit":
                self.problems.append(Problem(c.locate(p, "site_visits", i, "module"), f"site_visits[{i}].module",
                                             f"module '{visit.module}' is a {c.modules[visit.module].format}, "
                                             "not a site-visit", "list site-visit modules only"))
        seen: set[str] = set()
        for i, outcome in enumerate(p.outcomes):
            if outcome.id in seen:
                self.problems.append(Problem(c.locate(p, "outcomes", i, "id"), f"outcomes[{i}].id",
                                             f"duplicate outcome id '{outcome.id}'"))
            seen.add(outcome.id)
            for j, module in enumerate(outcome.modules):
                self._ref(p, ("outcomes", i, "modules", j), module, c.modules, "module")
        if p.cohort.mix:
            for strand in p.cohort.mix:
                self._ref(p, ("cohort", "mix", strand), strand, c.strands, "strand")
        self._refs_nested(p, ("cohort", "exclude"), p.cohort.exclude)
        self._refs_nested(p, ("cohort", "extra"), p.cohort.extra)
        if audience_ok:
            for index, module_id in enumerate(p.required):
                found = c.modules.get(module_id)
                if found is not None and found.audiences and p.audience not in found.audiences:
                    self.problems.append(Problem(
                        c.locate(p, "required", index), f"required[{index}]",
                        f"module '{module_id}' is not meant for audience '{p.audience}'",
                        f"add '{p.audience}' to the module's audiences or choose another module"))

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
                        self.problems.append(Problem(
                            self.c.locate(first, "prerequisites"), "prerequisites",
                            "prerequisite cycle: " + " -> ".join(cycle),
                            "remove one of these prerequisites"))
                elif prerequisite not in state:
                    visit(prerequisite, trail)
            trail.pop()
            state[module_id] = 2

        for module_id in sorted(modules):
            if module_id not in state:
                visit(module_id, [])
