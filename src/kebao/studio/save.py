"""Save a draft: round-trip YAML that keeps comments, key order and layout, written atomically.

An existing file is loaded with ruamel.yaml's round-trip mode and only the
top-level keys the designer changed are updated *in place*: a mapping keeps its
keys' order and comments, a list keeps its unchanged items and their comments
(edits follow :class:`difflib.SequenceMatcher`), and comment lines that ruamel
attaches to the last item of a block move to the new last item. The indentation
style is the first one that reproduces the unchanged file exactly. A new
programme gets a clean file with a comment per field.

Before anything is written the new text is read back strictly
(:mod:`kebao.yamlio`) and must hold exactly the draft's data; after writing,
the repository must load with :func:`kebao.catalog.load_catalog`, else the old
file is put back.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from ..atomic import write_atomic
from ..catalog import Catalog, load_catalog
from ..errors import ContentError, KebaoError, Location, PlanError, Problem
from ..messages import say
from ..yamlio import parse
from .state import Draft, canonical, check

# (mapping, sequence, offset) styles tried in turn; the first reproduces every file in this repository.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))
FLOW_KEYS = {"title", "partner", "mix", "session_starts", "travel"}  # short mappings written on one line
COMMENTS = {  # comments of a new programme file
    "title": "项目名称（中文、英文）",
    "partner": "合作单位",
    "audience": "培训对象：curricula/audiences.yml 里的编号",
    "days": "日历天数：从第一天到最后一天，含报到、返程日",
    "total_hours": "总学时；不写则按天数排满",
    "minutes_per_hour": "一学时的分钟数",
    "hours_per_credit": "多少学时折合 1 学分",
    "mix": "各主题学时占比（%），合计 100",
    "required": "必修模块",
    "pools": "选修来源：按主题（strands）或指定模块（modules）",
    "site_visits": "现场教学及其安排在第几个教学日",
    "cohort": "默认班次：编号、开班日期、人数、地点",
}


def _yaml(indent: tuple[int, int, int] = INDENTS[0]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long Chinese lines
    yaml.allow_unicode = True
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _load(text: str) -> tuple[YAML, Any]:
    """The round-trip tree of ``text`` and a YAML object whose style reproduces it (if any does)."""
    for indent in INDENTS:
        yaml = _yaml(indent)
        tree = yaml.load(text)
        if _dump(yaml, tree) == text:
            return yaml, tree
    yaml = _yaml()
    return yaml, yaml.load(text)


def merge_text(text: str, data: Mapping[str, Any], keys: Iterable[str]) -> str:
    """``text`` (a YAML mapping) with the top-level ``keys`` set to their values in ``data`` (absent: removed)."""
    yaml, tree = _load(text)
    if not isinstance(tree, CommentedMap):
        raise ValueError("the file does not hold a mapping")
    order = list(data)
    for key in keys:
        if key not in data:
            if key in tree:
                _delete_key(tree, key)
        elif key in tree:
            _assign(tree, key, data[key])
        else:
            before = [k for k in order[:order.index(key)] if k in tree]
            _insert_key(tree, list(tree).index(before[-1]) + 1 if before else 0, key, data[key])
    return _dump(yaml, tree)


# -- values -----------------------------------------------------------------


def _node(value: Any, key: str | None = None) -> Any:
    """A round-trip node for a plain value, written the way the example programmes are.

    Short mappings (titles, the mix, a site visit) and lists of ids go on one
    line. Text that kebao.yamlio reads back unchanged as a number or a date is
    written plain rather than quoted ("5" as 5, "2026-12-07" as a date).
    """
    if isinstance(value, Mapping):
        mapping = CommentedMap((str(k), _node(v, str(k))) for k, v in value.items())
        scalars = all(not isinstance(v, Mapping | list | tuple) for v in value.values())
        if key in FLOW_KEYS or (key is None and scalars):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_node(v) for v in value)
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        if _INT.fullmatch(value):
            return int(value)
        if _DECIMAL.fullmatch(value):
            return float(value)
        if _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
    return value


_INT = re.compile(r"-?(?:0|[1-9]\d{0,8})")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,8})\.\d{0,5}[1-9]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _assign(parent: Any, key: Any, value: Any) -> None:
    """Set ``parent[key]``, editing an existing mapping or list in place; unchanged values stay untouched."""
    old = parent[key]
    if canonical(_plain(old)) == canonical(value):
        return
    if isinstance(old, CommentedMap) and isinstance(value, Mapping):
        _merge_map(old, value)
    elif isinstance(old, CommentedSeq) and isinstance(value, list | tuple):
        _merge_seq(old, list(value))
    else:
        parent[key] = _node(value, key if isinstance(key, str) else None)


def _merge_map(old: CommentedMap, new: Mapping[str, Any]) -> None:
    for key in [k for k in old if k not in new]:
        _delete_key(old, key)
    order = list(new)
    for key, value in new.items():
        if key in old:
            _assign(old, key, value)
        else:
            before = [k for k in order[:order.index(key)] if k in old]
            _insert_key(old, list(old).index(before[-1]) + 1 if before else 0, key, value)


def _merge_seq(old: CommentedSeq, new: list[Any]) -> None:
    tail = _take_tail(old, len(old) - 1) if len(old) else ""
    matcher = difflib.SequenceMatcher(a=[repr(canonical(_plain(v))) for v in old],
                                      b=[repr(canonical(v)) for v in new], autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1 and all(  # edit nested entries (a pool) in place
                isinstance(old[i1 + k], CommentedMap) and isinstance(new[j1 + k], Mapping) for k in range(i2 - i1)):
            for offset in range(i2 - i1):
                _assign(old, i1 + offset, new[j1 + offset])
            continue
        for index in range(i2 - 1, i1 - 1, -1):
            del old[index]
        for offset, value in enumerate(new[j1:j2]):
            old.insert(i1 + offset, _node(value))
    if len(old) and tail:
        _give_tail(old, len(old) - 1, tail)


def _delete_key(mapping: CommentedMap, key: str) -> None:
    keys = list(mapping)
    index = keys.index(key)
    tail = _take_tail(mapping, index)
    del mapping[key]
    if tail and len(mapping):
        _give_tail(mapping, max(index - 1, 0), tail)


def _insert_key(mapping: CommentedMap, position: int, key: str, value: Any) -> None:
    """Insert ``key`` at ``position``; comment lines that stood before the next key stay before it."""
    tail = _take_tail(mapping, position - 1) if position > 0 else ""
    mapping.insert(position, key, _node(value, key))
    if tail:
        _give_tail(mapping, position, tail)


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


# -- comment lines that ruamel stores on the last item before them ------------


def _slot(container: Any, index: int) -> tuple[Any, Any, int]:
    """(comment holder, its key, position of the comment token) of item ``index``, descending into blocks."""
    if isinstance(container, CommentedMap):
        key = list(container)[index]
        value = container[key]
        if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
            return _slot(value, len(value) - 1)
        return container, key, 2
    value = container[index]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        return _slot(value, len(value) - 1)
    return container, index, 0


def _take_tail(container: Any, index: int) -> str:
    """Remove and return the comment *lines* after item ``index`` (its end-of-line comment stays)."""
    if index < 0 or index >= len(container):
        return ""
    holder, key, position = _slot(container, index)
    entry = holder.ca.items.get(key)
    token = entry[position] if entry and len(entry) > position else None
    if token is None or "\n" not in token.value:
        return ""
    head, _, tail = token.value.partition("\n")
    if not tail:
        return ""
    if head.strip():
        token.value = head + "\n"
    else:
        entry[position] = None
    return str(tail)


def _give_tail(container: Any, index: int, tail: str) -> None:
    """Put comment lines after item ``index``."""
    holder, key, position = _slot(container, index)
    entry = holder.ca.items.setdefault(key, [None, None, None, None])
    token = entry[position]
    if token is None:
        entry[position] = CommentToken("\n" + tail, CommentMark(0))
    else:
        token.value = token.value.rstrip("\n") + "\n" + tail


# -- a new file -----------------------------------------------------------------


def new_text(draft: Draft) -> str:
    """A clean, commented programme file for a new draft."""
    tree = CommentedMap()
    for key, value in draft.data.items():
        tree[key] = _node(value, key)
    header = (f"培训项目 {draft.id}：由设计工作室（notebooks/design_studio.ipynb）创建。\n"
              "每个字段的说明见 docs/content.md；改完后运行 kebao validate 检查。\n")
    for key in tree:
        comment = COMMENTS.get(key)
        if comment and key != next(iter(tree)):
            tree.yaml_set_comment_before_after_key(key, before=comment)
    tree.yaml_set_start_comment(header.rstrip("\n"))
    return _dump(_yaml(), tree)


# -- writing ------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """What Save did: the file, its diff, the reloaded catalogue and any warning."""

    file: Path
    changed: bool
    diff: tuple[str, ...]
    catalog: Catalog
    warnings: tuple[str, ...] = ()
    created: bool = False


def planned_text(draft: Draft) -> str:
    """The text Save would write for ``draft``."""
    if draft.is_new or not draft.file.is_file():
        return new_text(draft)
    text = draft.file.read_text(encoding="utf-8")
    return merge_text(text, draft.data, draft.changed_keys())


def save_draft(catalog: Catalog, draft: Draft) -> SaveResult:
    """Write the draft's file; ContentError (nothing written) when the draft does not validate.

    A draft that validates but cannot be planned is saved with a warning, as
    ``kebao validate`` accepts it.
    """
    preview = check(catalog, draft)
    if not preview.valid:
        raise ContentError(list(preview.problems))
    old = draft.file.read_text(encoding="utf-8") if draft.file.is_file() else None
    if not draft.is_new and old is None:
        raise ContentError([Problem.from_message(Location(draft.file), "", say("problem-file-gone"),
                                                 say("advice-reopen"))])
    if draft.is_new and old is not None:
        raise ContentError([Problem.from_message(Location(draft.file), "id",
                                                 say("problem-file-exists", name=draft.file.name),
                                                 say("advice-other-id"))])
    text = planned_text(draft)
    _check_same_data(text, draft)
    warnings = [_said(preview.plan_error)] if preview.plan_error is not None else []
    diff = tuple(difflib.unified_diff((old or "").splitlines(), text.splitlines(), lineterm="", n=0))
    if text == old:
        return SaveResult(draft.file, False, (), catalog, tuple(warnings))
    write_atomic(draft.file, text)
    try:
        reloaded = load_catalog(catalog.root)
    except ContentError as error:
        ours = [p for p in error.problems if Path(p.location.file).resolve() == draft.file.resolve()]
        if ours:
            if old is None:
                draft.file.unlink()
            else:
                write_atomic(draft.file, old)
            raise ContentError(ours) from None
        warnings.append(say("warning-others-broken", problems="；".join(
            p.render(catalog.root) for p in error.problems[:5])).render("zh", "studio"))
        reloaded = preview.catalog or catalog
    return SaveResult(draft.file, True, diff, reloaded, tuple(warnings), created=old is None)


def _check_same_data(text: str, draft: Draft) -> None:
    """The text read back strictly must hold the draft's data; else nothing is written."""
    try:
        doc = parse(text, draft.file)
    except ContentError as error:  # pragma: no cover - a bug in this module
        raise ContentError([Problem.from_message(p.location, p.field, say("problem-studio-yaml", problem=p.message),
                                                 say("advice-report")) for p in error.problems]) from None
    if canonical(doc.data) != canonical(dict(draft.data)):  # pragma: no cover - a bug in this module
        raise ContentError([Problem.from_message(Location(draft.file), "", say("problem-studio-inexact"),
                                                 say("advice-report"))])


def _said(error: KebaoError) -> str:
    """A plan error as the studio says it: in Chinese, with its advice, no command-line flags."""
    if isinstance(error, PlanError):
        why, advice = error.render("zh", "studio")
        return why + (f"。建议：{advice}" if advice else "")
    return str(error)
