"""Load a curriculum repository into a cross-checked :class:`Catalog`.

Layout read (relative to the repository root)::

    curricula/strands.yml        strands:   [ {id, name, colour}, … ]
    curricula/audiences.yml      audiences: [ {id, name, max_hours_per_day, …}, … ]
    curricula/modules/<id>.md    one module: YAML front matter + session plan
    curricula/programmes/<id>.yml one programme spec
    curricula/handouts/<id>.md   worksheets and handouts that modules' materials name (Markdown)
    curricula/holidays.yml       optional: holiday arrangements for years chinesecalendar lacks
    cases/<id>.md                one case study (MyST notebook)
    cohorts/<programme>/<id>.yml a programme's further cohorts (a model.Cohort each, ``id`` = the file name)

Every problem in every file is collected before :class:`ContentError` is
raised, so ``kebao validate`` can list them all at once. Pydantic's errors are
worded by :mod:`kebao.validation`; the checks across files (references,
cycles, data files) are :mod:`kebao.crosscheck`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from . import paths
from .content import open_trainer_sections, trainer_note_blocks
from .crosscheck import check_catalog, check_cohort_file
from .errors import ContentError, Location, Problem, UnclosedTrainerNote, UsageError, did_you_mean
from .model import (
    SCHEMA_VERSION,
    Audience,
    Case,
    Cohort,
    Entity,
    HolidayCalendar,
    Model,
    Module,
    Programme,
    Strand,
    id_problem,
    slugify_hint,
)
from .validation import problems_from_validation
from .yamlio import Document, PathKey, read_front_matter, read_yaml, yaml11_rewrites

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
    handouts: Mapping[str, str] = field(default_factory=dict)  # id -> Markdown of curricula/handouts/<id>.md
    cohorts: Mapping[str, Mapping[str, Cohort]] = field(default_factory=dict)  # programme -> id -> cohort file's

    def handout_file(self, handout: str) -> Path:
        """Where the handout ``handout`` lives (it may not exist: the catalogue names missing ones)."""
        return self.root / paths.HANDOUTS / f"{handout}.md"

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

    def with_programme(self, programme: Programme, document: Document, base: PathKey = ()) -> Catalog:
        """A new catalogue in which ``programme`` is added, or replaces the one with its id.

        The programme is located at ``base`` in ``document`` (its fields and
        problems point there, e.g. a studio draft's file, written or not). This
        catalogue and ``programme`` are left unchanged; nothing is checked (see
        :func:`kebao.crosscheck.check_programme`).
        """
        located = _located(programme, document.locate(base))
        places = {**self._places, ("Programme", programme.id): (document, base)}
        return replace(self, programmes={**self.programmes, programme.id: located}, _places=places)

    @functools.cached_property
    def strand_modules(self) -> Mapping[str, tuple[Module, ...]]:
        """Each strand's modules in catalogue order (made once per catalogue: its modules never change)."""
        found: dict[str, list[Module]] = {}
        for module in self.modules.values():
            found.setdefault(module.strand, []).append(module)
        return {strand: tuple(modules) for strand, modules in found.items()}

    def portable(self) -> Catalog:
        """This catalogue without field-level source positions, for sending to another process.

        ``locate(obj)`` still names each object's file and line; ``locate(obj, field)`` needs the
        positions and is for the process that loaded the files.
        """
        return replace(self, _places={})


def load_catalog(root: str | Path = ".") -> Catalog:
    """Read and cross-check the repository at ``root``; raise ContentError listing every problem."""
    return _Loader(Path(root)).load()


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
        root = self.root
        curricula = root / paths.CURRICULA
        if not curricula.is_dir():
            raise ContentError([Problem(Location(self.root), "", "no curricula/ folder here",
                                        "run kebao in a curriculum repository, or pass its path")])
        strands = self._list_file(root / paths.STRANDS, "strands", Strand)
        audiences = self._list_file(root / paths.AUDIENCES, "audiences", Audience)
        modules = self._stem_files(sorted((root / paths.MODULES).glob("*.md")), Module, front_matter=True)
        cases = self._stem_files(sorted((root / paths.CASES).glob("*.md")), Case, front_matter=True,
                                 namespace="kebao")
        programmes = self._stem_files(sorted((root / paths.PROGRAMMES).glob("*.yml")), Programme)
        for extra in sorted((root / paths.PROGRAMMES).glob("*.yaml")):
            self.problems.append(Problem(Location(extra), "", "programme files end in .yml",
                                         f"rename it to {extra.stem}.yml"))
        holidays = self._holidays(root / paths.HOLIDAYS)
        handouts = self._handouts(sorted((root / paths.HANDOUTS).glob("*.md")))
        cohorts = self._cohort_folders(root / paths.COHORTS, programmes, strands, modules)
        catalog = Catalog(self.root, strands, audiences, modules, cases, programmes, self.places, holidays, handouts,
                          cohorts)
        # A kind whose only file could not be read would make every reference to it look unknown.
        lost = {kind for kind, file in (("strand", root / paths.STRANDS),
                                        ("audience", root / paths.AUDIENCES)) if file in self.unreadable}
        self.problems += check_catalog(catalog, lost, self.broken)
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

    def _cohort_folders(self, folder: Path, programmes: Mapping[str, Programme], strands: Mapping[str, Strand],
                        modules: Mapping[str, Module]) -> dict[str, dict[str, Cohort]]:
        """``cohorts/<programme>/<id>.yml``: each a cohort of a programme the catalogue has, named by its id."""
        found: dict[str, dict[str, Cohort]] = {}
        for sub in sorted(folder.iterdir()) if folder.is_dir() else ():
            if sub.name.startswith("."):
                continue
            if not sub.is_dir() or sub.name not in programmes:
                if f"programme:{sub.name}" not in self.broken:  # a broken programme file is reported already
                    where = f"{paths.COHORTS.as_posix()}/<programme>/{sub.name}" if not sub.is_dir() else ""
                    self.problems.append(Problem(
                        Location(sub), "", f"'{sub.name}' is not a programme: cohort files go in "
                        f"{paths.COHORTS.as_posix()}/<programme>/<cohort-id>.yml",
                        (f"move the file to {where}" if where else did_you_mean(sub.name, programmes))
                        or f"name the folder after a programme of {paths.PROGRAMMES.as_posix()}/"))
                continue
            for file in sorted(sub.iterdir()):
                if file.suffix == ".yaml":
                    self.problems.append(Problem(Location(file), "", "cohort files end in .yml",
                                                 f"rename it to {file.stem}.yml"))
                elif file.suffix == ".yml" and self._named_by_id(file):
                    cohort = self._cohort_file(file, programmes[sub.name], strands, modules)
                    if cohort is not None:
                        found.setdefault(sub.name, {})[cohort.id] = cohort
        return found

    def _cohort_file(self, file: Path, programme: Programme, strands: Mapping[str, Strand],
                     modules: Mapping[str, Module]) -> Cohort | None:
        doc = self._read(file, front_matter=False)
        if doc is None:
            return None
        if not isinstance(doc.data, dict):
            self.problems.append(doc.problem((), "expected a mapping of cohort fields",
                                             "see docs/content.md: id, start, size, venue, …"))
            return None
        try:
            cohort = Cohort.model_validate(doc.data)
        except ValidationError as error:
            self.problems += problems_from_validation(error, Cohort, doc.data, doc, ())
            return None
        cohort._source = doc.locate(())
        found = check_cohort_file(doc, cohort, programme, strands, modules)
        self.problems += found
        return None if found else cohort

    def _named_by_id(self, file: Path) -> bool:
        """Whether ``file``'s name is a valid id (its stem is the id); a problem with a fix otherwise."""
        problem = id_problem(file.stem)
        if problem:
            self.problems.append(Problem(Location(file), "id", f"file name '{file.name}' is not a valid id: "
                                         f"{problem}", slugify_hint(file.stem)))
        return not problem

    def _handouts(self, files: Iterable[Path]) -> dict[str, str]:
        """Handouts: plain Markdown files named <id>.md (a title line, then the page)."""
        handouts: dict[str, str] = {}
        for file in files:
            if not self._named_by_id(file):
                continue
            try:
                handouts[file.stem] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                self.problems.append(Problem(Location(file), "", f"cannot read the handout: {error}",
                                             "save it as UTF-8 text"))
                continue
            self._check_trainer_notes(file, handouts[file.stem], 1)
        return handouts

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
        schema = int(data["schema"]) if str(data.get("schema", "")).isdigit() else 1
        items: dict[str, M] = {}
        for index, item in enumerate(data[key]):
            obj = self._validate(cls, item, doc, (key, index), {"schema": schema})
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
            if not self._named_by_id(file):
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
                                             "add kernelspec: {name: python3, display_name: Python 3 (ipykernel), "
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
            return
        for line, heading in open_trainer_sections(body):
            self.problems.append(Problem(
                Location(file, body_line + line, 1), "body",
                f"the '{heading}' section is for trainers, but participants would read it",
                f"replace the heading with a ':::{{trainer-note}} {heading}' line and end the section with ':::' "
                "(use '::::' around it when it holds another trainer note)"))

    def _check_schema(self, doc: Document, data: dict[str, Any]) -> None:
        version = data.get("schema", 1)
        if str(version) not in {str(known) for known in range(1, SCHEMA_VERSION + 1)}:
            self.problems.append(doc.problem(("schema",), f"content schema {version} is not supported",
                                             f"this kebao reads schemas 1 to {SCHEMA_VERSION}"))

    def _validate(self, cls: type[M], data: Any, doc: Document, base: PathKey,
                  context: dict[str, Any] | None = None) -> M | None:
        try:
            obj: M = cls.model_validate(data, context=context)
        except ValidationError as error:
            already = {p.field for p in doc.problems}  # e.g. an alias dropped: don't report it twice
            self.problems += [problem for problem in problems_from_validation(error, cls, data, doc, base)
                              if problem.field not in already or not problem.field]
            return None
        obj._source = doc.locate(base)  # a fresh object, so set in place (compare _located)
        return obj


def _located(obj: M, location: Location) -> M:
    """A copy of ``obj`` whose ``source`` is ``location`` (models are frozen; ``obj`` is not changed)."""
    copy = obj.model_copy()
    copy._source = location
    return copy

