"""Start new content from commented templates: ``kebao new module|case|programme ID``.

The templates live in ``templates/new/``; their comments (Chinese first, with
the English names of things) explain every field, and every choice they offer
(strands, audiences, modules) is read from the catalogue, so the new file is
valid from the start. A new programme is composed and scheduled before it is
written: its days and 学时 are the fewest that plan with its default cohort.

:func:`draft` renders a file from a catalogue without touching the disk;
:func:`create` checks the request, drafts and writes atomically, never over an
existing file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Literal

from .atomic import write_atomic
from .catalog import Catalog, load_catalog
from .errors import ContentError, KebaoError, UsageError, did_you_mean
from .model import Module, Programme, id_problem, slugify_hint
from .yamlio import parse

Kind = Literal["module", "case", "programme"]
KINDS: dict[str, tuple[str, str, str]] = {  # kind -> (folder, file suffix, Chinese name)
    "module": ("curricula/modules", ".md", "课程模块"),
    "case": ("cases", ".md", "案例"),
    "programme": ("curricula/programmes", ".yml", "培训项目"),
}
START = dt.date(2026, 12, 7)  # a Monday in a year with the official holiday arrangement (later ones are 暂定)
TEACHING_DAYS = 3  # a new programme aims at three days of teaching, or what its strand's modules hold
MAX_DAYS = 31
LISTED_MODULES = 30  # modules named in a new programme's comments
COMMENT_WIDTH = 100


@dataclasses.dataclass(frozen=True)
class NewFile:
    """A file ``kebao new`` writes: where, what, what was assumed, and what to do next."""

    kind: Kind
    id: str
    path: Path
    text: str
    notes: tuple[str, ...]
    next_step: str


def create(root: str | Path, kind: Kind, content_id: str, *, strand: str | None = None, title: str | None = None,
           audience: str | None = None) -> NewFile:
    """Write a new module, case or programme under ``root``; UsageError for a bad request or an existing file."""
    root = Path(root)
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}'", did_you_mean(kind, KINDS) or f"kinds: {', '.join(KINDS)}")
    problem = id_problem(content_id)
    if problem:
        raise UsageError(f"'{content_id}' is not a valid id: {problem}", slugify_hint(content_id))
    if not (root / "curricula").is_dir():
        raise UsageError(f"{root} is not a curriculum repository (it has no curricula/ folder)",
                         "run kebao new in the repository, or pass --root")
    path = target(root, kind, content_id)
    if path.exists():
        raise UsageError(f"{path} already exists; kebao new never overwrites a file",
                         "choose another id, or edit the existing file")
    try:
        catalog = load_catalog(root)
    except ContentError as error:
        raise UsageError(f"the catalogue has {len(error.problems)} problem(s), so a new file could not be "
                         f"checked against it; the first: {error.problems[0].render(root)}",
                         "run kebao validate and fix them first") from None
    new = draft(catalog, kind, content_id, strand=strand, title=title, audience=audience)
    try:
        write_new(new.path, new.text)
    except OSError as error:
        raise KebaoError(f"cannot write {new.path}: {error.strerror or error}") from None
    return new


def target(root: Path, kind: Kind, content_id: str) -> Path:
    folder, suffix, _ = KINDS[kind]
    return root / folder / f"{content_id}{suffix}"


def draft(catalog: Catalog, kind: Kind, content_id: str, *, strand: str | None = None, title: str | None = None,
          audience: str | None = None) -> NewFile:
    """The new file's text for ``catalog`` (no I/O but reading the template)."""
    strand = _known(strand, catalog.strands, "strand")
    audience = _known(audience, catalog.audiences, "audience")
    if not catalog.strands:
        raise UsageError("no strands are defined yet", "add one to curricula/strands.yml first")
    zh_name = KINDS[kind][2]
    title_zh = _title(title) if title is not None else f"{zh_name} {content_id}（待填写标题）"
    values = {"id": content_id, "title_zh": _quote(title_zh), "title_en": _quote(_english(content_id)),
              "heading": title_zh}
    notes: list[str] = []
    if kind == "programme":
        return _programme(catalog, content_id, strand, audience, values, notes)
    if strand is None:
        strand = next(iter(catalog.strands))
        notes.append(f"未指定 --strand，暂用 strand: {strand}（{catalog.strands[strand].name.zh}），请按需要修改")
    path = target(catalog.root, kind, content_id)
    if kind == "module":
        chosen = catalog.audiences[audience] if audience else None
        values |= {"strand": strand, "strand_choices": _choices(_strand_names(catalog), "#   "),
                   "hours": _number(chosen.max_hours_per_session if chosen else 2),
                   "audiences": f"[{audience}]" if audience else "[]",
                   "audience_choices": _choices(_audience_names(catalog), "#   ")}
        step = f"编辑 {path}（标题、学时、学习成果、教学流程），然后运行 {_validate(catalog.root)}"
    else:
        if audience is not None:
            raise UsageError("--audience is for modules and programmes", "a case names strands, not audiences")
        values |= {"strand": strand, "strand_choices": _choices(_strand_names(catalog), "  #   ")}
        step = (f"在 JupyterLab 里打开 {path}（make lab）或直接编辑它，写好背景、证据和讨论题，"
                f"然后运行 {_validate(catalog.root)}；让某个模块的 cases: 引用它，它就会出现在课包里")
    return NewFile(kind, content_id, path, render(kind, values), tuple(notes), step)


def render(kind: Kind, values: dict[str, str]) -> str:
    """The template for ``kind`` with ``values`` filled in."""
    name = f"{kind}{KINDS[kind][1]}"
    text = files("kebao").joinpath("templates", "new", name).read_text(encoding="utf-8")
    return Template(text).substitute(values)


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; UsageError (and nothing written) if ``path`` exists."""
    try:
        write_atomic(path, text, exclusive=True)
    except FileExistsError:
        raise UsageError(f"{path} already exists; kebao new never overwrites a file",
                         "choose another id, or edit the existing file") from None


# -- programmes ---------------------------------------------------------------------------------------------------

def _programme(catalog: Catalog, content_id: str, strand: str | None, audience: str | None,
               values: dict[str, str], notes: list[str]) -> NewFile:
    """A programme of one strand for one audience, sized to plan: the fewest days that hold its 学时."""
    strand, audience = _strand_and_audience(catalog, strand, audience, notes)
    chosen = catalog.audiences[audience]
    modules = [m for m in _usable(catalog, audience) if m.strand == strand]
    supply = sum(m.hours for m in modules)
    hours = min(chosen.max_hours_per_day * TEACHING_DAYS, supply) if supply else \
        chosen.max_hours_per_day * TEACHING_DAYS
    required = next((m for m in modules if not m.prerequisites and m.format != "assessment"), None)
    values |= {"strand": strand, "audience": audience, "hours": _number(hours), "start": START.isoformat(),
               "cohort_id": f"{START:%Y-%m}",
               "strand_choices": _choices(_strand_names(catalog), "#   "),
               "audience_choices": _choices(_audience_names(catalog), "#   "),
               "required": f"\n  - {required.id}   # {required.title.zh}" if required else " []",
               "module_list": _module_list(catalog, strand, modules)}
    path = target(catalog.root, "programme", content_id)
    first = max(1, math.ceil(hours / chosen.max_hours_per_day))
    days, planned = first, ""
    for days in range(first, MAX_DAYS + 1) if modules else ():  # the fewest days that plan
        planned = _plans(catalog, path, render("programme", values | {"days": str(days), "plan_note": ""}))
        if planned:
            break
    if planned:
        note = f"已按默认班次试排通过：{planned}"
    elif modules:
        days = first
        note = f"按默认班次试排没有成功，请运行 kebao plan {content_id} 查看原因"
    else:
        note = (f"主题 {strand} 里还没有适合培训对象 {audience} 的模块，kebao plan 会报错；"
                f"先用 kebao new module … --strand {strand} --audience {audience} 写几个模块")
    notes.append(note)
    text = render("programme", values | {"days": str(days), "plan_note": note})
    plan = f"kebao plan {content_id}" + ("" if catalog.root == Path(".") else f" --root {catalog.root}")
    step = f"编辑 {path}（标题、合作单位、主题比例、模块），然后运行 {_validate(catalog.root)} 和 {plan}"
    return NewFile("programme", content_id, path, text, tuple(notes), step)


def _strand_and_audience(catalog: Catalog, strand: str | None, audience: str | None,
                         notes: list[str]) -> tuple[str, str]:
    """The strand and audience asked for; a missing one is the one with the most 学时 of modules to offer."""
    if not catalog.audiences:
        raise UsageError("no audiences are defined yet", "add one to curricula/audiences.yml first")
    pairs = [(s, a) for a in catalog.audiences for s in catalog.strands
             if (strand is None or s == strand) and (audience is None or a == audience)]
    best = max(pairs, key=lambda pair: (sum(m.hours for m in _usable(catalog, pair[1]) if m.strand == pair[0]),
                                        -pairs.index(pair)))
    if strand is None:
        notes.append(f"未指定 --strand，选了模块最多的主题 {best[0]}（{catalog.strands[best[0]].name.zh}）")
    if audience is None:
        notes.append(f"未指定 --audience，选了培训对象 {best[1]}（{catalog.audiences[best[1]].name.zh}）")
    return best


def _usable(catalog: Catalog, audience: str) -> list[Module]:
    """Modules a programme for ``audience`` can draw from a pool: suitable, not elective, not a site visit."""
    return [m for m in sorted(catalog.modules.values(), key=lambda m: m.id)
            if (not m.audiences or audience in m.audiences) and not m.elective and m.format != "site-visit"]


def _plans(catalog: Catalog, path: Path, text: str) -> str:
    """'N 个模块…' if the programme in ``text`` composes and schedules with its default cohort, else ''."""
    from .compose import compose
    from .schedule import schedule

    document = parse(text, path)
    programme = Programme.model_validate(dict(document.data, id=path.stem))
    with_it = catalog.with_programme(programme, document)
    try:
        timetable = schedule(with_it, compose(with_it, programme))
    except KebaoError:
        return ""
    plan = timetable.plan
    return (f"{len(plan.items)} 个模块，{_number(plan.total_hours)} 学时，{programme.days} 天"
            f"（{programme.cohort.start.isoformat()} 开班）")


def _module_list(catalog: Catalog, strand: str, modules: Sequence[Module]) -> str:
    if not modules:
        return f"# 主题 {strand} 里还没有适合这个培训对象的模块：先用 kebao new module 写几个。"
    lines = [f"# 主题 {strand}（{catalog.strands[strand].name.zh}）里适合这个培训对象的模块（编号、学时、标题）："]
    lines += [f"#   {m.id}  {_number(m.hours)} 学时  {m.title.zh}" for m in modules[:LISTED_MODULES]]
    if len(modules) > LISTED_MODULES:
        lines.append(f"#   ……另有 {len(modules) - LISTED_MODULES} 个，见 curricula/modules/")
    return "\n".join(lines)


# -- text helpers ---------------------------------------------------------------------------------------------------

def _known(value: str | None, known: Iterable[str], kind: str) -> str | None:
    if value is None or value in known:
        return value
    ids = sorted(known)
    raise UsageError(f"unknown {kind} '{value}'",
                     did_you_mean(value, ids) or (f"{kind}s: {', '.join(ids)}" if ids else f"no {kind}s are defined"))


def _title(title: str) -> str:
    """A title as given on the command line, checked: one line of printable text."""
    text = title.strip()
    if not text:
        raise UsageError("--title is empty", "give the Chinese title, e.g. --title 新能源汽车高压安全")
    bad = next((c for c in text if not _printable(c)), None)
    if bad is not None:
        raise UsageError(f"--title contains the control character U+{ord(bad):04X}",
                         "a title is one line of text")
    return text


def _printable(char: str) -> bool:
    """Whether YAML may hold ``char`` in a one-line string (its printable set, without line breaks)."""
    code = ord(char)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF) and char not in "\u2028\u2029"


def _quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _english(content_id: str) -> str:
    """A placeholder English title from the id: 'nev-hv-safety' -> 'Nev hv safety (title to be written)'."""
    return f"{content_id.replace('-', ' ').capitalize()} (English title to be written)"


def _validate(root: Path) -> str:
    """The command that checks the repository at ``root``."""
    return "kebao validate" + ("" if root == Path(".") else f" {root}")


def _number(value: float) -> str:
    return f"{value:g}"


def _strand_names(catalog: Catalog) -> list[str]:
    return [f"{s.id} {s.name.zh}" for s in catalog.strands.values()]


def _audience_names(catalog: Catalog) -> list[str]:
    return [f"{a.id} {a.name.zh}" for a in catalog.audiences.values()]


def _choices(items: Sequence[str], prefix: str) -> str:
    """Comment lines listing ``items`` joined by ' · ', wrapped near COMMENT_WIDTH columns."""
    lines: list[str] = []
    line = ""
    for item in items:
        candidate = f"{line} · {item}" if line else item
        if line and len(prefix) + _width(candidate) > COMMENT_WIDTH:
            lines.append(prefix + line)
            candidate = item
        line = candidate
    if line:
        lines.append(prefix + line)
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


__all__ = ["KINDS", "Kind", "NewFile", "create", "draft", "render", "target", "write_new"]
