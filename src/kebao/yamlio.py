"""Strict YAML for specs and front matter, with a source location for every value.

We build plain Python data straight from the parser's events (never
``yaml.load``), so that nothing can construct objects, expand aliases or
coerce text behind our back:

* duplicate keys, tabs, anchors/aliases and explicit tags (``!!python/object``)
  are errors with their line and column;
* plain scalars stay *text* (``no``, ``012``, ``1:30``, ``1.10`` reach the model
  exactly as written); the typed model converts a field only when the field is
  a number or a date, so a string field never changes type;
* ``true``/``false`` become booleans and ``null``/``~``/empty become None
  (YAML 1.2 core schema); boolean fields accept nothing else.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError

from .errors import ContentError, Location, Problem

PathKey = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass
class Document:
    """Parsed YAML data plus the (line, column) of every key and item in it."""

    file: Path
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Problems that left the data usable (duplicate keys, anchors, tags); see ``parse``."""
    plain: dict[PathKey, str] = field(default_factory=dict)
    """Unquoted values kept as text, by path (see :func:`yaml11_rewrites`)."""

    def locate(self, path: PathKey = ()) -> Location:
        """Location of the value at ``path`` or, failing that, its nearest parent."""
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        line, column = self.positions.get(path, (1, 1))
        return Location(self.file, line, column)

    def problem(self, path: PathKey, message: str, hint: str = "") -> Problem:
        return Problem(self.locate(path), dotted(path), message, hint)


def dotted(path: PathKey) -> str:
    """``("pools", 0, "strand")`` -> ``pools[0].strand``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def parse(text: str, file: Path, first_line: int = 1, collect: bool = False) -> Document:
    """Parse one YAML document strictly; ``first_line`` is where ``text`` starts in ``file``.

    Syntax errors and tabs always raise ContentError. Duplicate keys, anchors,
    aliases and tags raise too, unless ``collect`` is true: then they are kept in
    ``Document.problems`` (the offending values dropped) so a caller can report
    them alongside every other problem.
    """
    _refuse_tabs(text, file, first_line)
    reader = _Reader(file, first_line, _events(text, file, first_line))
    doc = reader.read()
    if reader.problems and not collect:
        raise ContentError(reader.problems)
    doc.problems = reader.problems
    return doc


def _refuse_tabs(text: str, file: Path, first_line: int) -> None:
    """ContentError listing every line of ``text`` that holds a tab."""
    problems = [Problem(Location(file, number + first_line - 1, line.index("\t") + 1), "",
                        "tab character in YAML", "indent with spaces; YAML does not allow tabs")
                for number, line in enumerate(text.splitlines(), start=1) if "\t" in line]
    if problems:
        raise ContentError(problems)


def _events(text: str, file: Path, first_line: int) -> list[ev.Event]:
    """The parser's events for ``text``; ContentError for a syntax error or a second document."""
    parser = YAML(typ="safe", pure=False)  # libyaml (ruamel.yaml.clib) when installed: ~15x faster
    try:
        events = list(parser.parse(io.StringIO(text)))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line0, col0 = (mark.line, mark.column) if mark is not None else (0, 0)
        message = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise ContentError([Problem(Location(file, line0 + first_line, col0 + 1), "",
                                    f"YAML syntax error: {message}", _syntax_hint(text, line0))]) from None
    documents = [e for e in events if isinstance(e, ev.DocumentStartEvent)]
    if len(documents) > 1:
        mark = documents[1].start_mark
        raise ContentError([Problem(Location(file, mark.line + first_line, mark.column + 1), "",
                                    "more than one YAML document in this file", "remove the extra '---' line")])
    return events


_FRAME = (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentStartEvent, ev.DocumentEndEvent)


class _Reader:
    """Plain data from one document's parser events, with the position of every key and item.

    Aliases, anchors, tags, non-text keys and duplicate keys become problems
    and their values are dropped, so that reading always finishes.
    """

    def __init__(self, file: Path, first_line: int, events: list[ev.Event]):
        self.first_line = first_line
        self.doc = Document(file, None)
        self.problems: list[Problem] = []
        self.stream = iter(e for e in events if not isinstance(e, _FRAME))

    def read(self) -> Document:
        first = next(self.stream, None)
        self.doc.positions[()] = (self._position(first.start_mark)[0] if first else self.first_line, 1)
        self.doc.data = self.node(first, ()) if first is not None else None
        return self.doc

    def _position(self, mark: Any) -> tuple[int, int]:
        """(line, column) in the file, both from 1, of a parser mark."""
        return mark.line + self.first_line, mark.column + 1

    def _problem(self, event: ev.Event, path: PathKey, message: str, hint: str = "") -> None:
        line, column = self._position(event.start_mark)
        self.problems.append(Problem(Location(self.doc.file, line, column), dotted(path), message, hint))

    def node(self, event: ev.Event, path: PathKey) -> Any:
        """The value that starts with ``event`` (its children are read from the stream)."""
        if isinstance(event, ev.AliasEvent):
            self._problem(event, path, f"alias '*{event.anchor}' is not allowed", "write the value out in full")
            return None
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._problem(event, path, f"anchor '&{anchor}' is not allowed", "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag and tag != "!":
            self._problem(event, path, f"YAML tag '{tag}' is not allowed",
                          "remove the tag; kebao reads plain data only")
        if isinstance(event, ev.ScalarEvent):
            return self._scalar(event, tag, path)
        if isinstance(event, ev.SequenceStartEvent):
            return self._sequence(path)
        if isinstance(event, ev.MappingStartEvent):
            return self._mapping(path)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def _scalar(self, event: ev.ScalarEvent, tag: str | None, path: PathKey) -> Any:
        """Text as written; a plain true/false/null (YAML 1.2 core schema) is a bool or None."""
        if not event.style and not tag:  # plain (None from the Python parser, "" from libyaml)
            value = event.value
            if value in _NULLS:
                return None
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
            self.doc.plain[path] = value
        return event.value

    def _sequence(self, path: PathKey) -> list[Any]:
        items: list[Any] = []
        for child in self.stream:
            if isinstance(child, ev.SequenceEndEvent):
                return items
            self.doc.positions[path + (len(items),)] = self._position(child.start_mark)
            items.append(self.node(child, path + (len(items),)))
        return items

    def _mapping(self, path: PathKey) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_event in self.stream:
            if isinstance(key_event, ev.MappingEndEvent):
                return mapping
            if not isinstance(key_event, ev.ScalarEvent):
                self._problem(key_event, path, "mapping keys must be plain text")
                self.node(key_event, path)
                self.node(next(self.stream), path)
                continue
            key = key_event.value
            value_event = next(self.stream)
            if key in mapping:
                first = self.doc.positions.get(path + (key,), (0, 0))[0]
                self._problem(key_event, path + (key,), f"duplicate key '{key}' (first given on line {first})",
                              "keep one of them")
                self.node(value_event, path + (key,))
                continue
            self.doc.positions[path + (key,)] = self._position(key_event.start_mark)
            mapping[key] = self.node(value_event, path + (key,))
        return mapping


def yaml11_rewrites(doc: Document) -> list[Problem]:
    """Unquoted values that a YAML 1.1 reader and writer would change, e.g. when JupyterLab saves a case.

    jupytext loads a notebook's front matter with PyYAML (YAML 1.1). JupyterLab
    keeps a case's front matter as written while the notebook's metadata is
    unchanged (:func:`keep_front_matter`), but once the metadata changes there
    (another kernel, the Property Inspector) jupytext dumps all of it again:
    ``012`` would come back as ``10``, ``1:30`` as ``90``, ``no`` as ``false``.
    kebao reads those as the text written, so the file would silently change
    meaning; quoting keeps it.
    """
    import yaml

    problems = []
    for path, text in doc.plain.items():
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(value, str):
            continue
        rewritten = yaml.safe_dump(value, allow_unicode=True).removesuffix("\n").removesuffix("\n...")
        if rewritten != text:
            problems.append(doc.problem(path, f"'{text}' would be saved as '{rewritten}' by JupyterLab once the "
                                              "case's notebook metadata changes there (jupytext reads this front "
                                              "matter as YAML 1.1)",
                                        f'quote it: "{text}"'))
    return problems


def keep_front_matter(old: str, new: str) -> str:
    """``new`` with ``old``'s front matter as written, when both front matters mean the same to jupytext.

    When JupyterLab saves a case, jupytext loads the notebook's front matter
    with PyYAML (YAML 1.1) and dumps it again in its own style: comments
    dropped, lists in flow style, long lines wrapped, keys reordered, a blank
    line before the body. If ``old``'s front matter loads to the same data as
    ``new``'s, this returns ``old``'s front matter text (comments, quotes, order
    and layout as written) and ``old``'s blank lines before the body, then
    ``new``'s body; otherwise ``new`` unchanged. The caller checks that jupytext
    reads the result as it reads ``new`` (``kebao.check.stored``).
    """
    import yaml

    old_parts, new_parts = _split_front_matter(old), _split_front_matter(new)
    if old_parts is None or new_parts is None:
        return new
    try:
        same = yaml.safe_load(old_parts[1]) == yaml.safe_load(new_parts[1])
    except yaml.YAMLError:
        return new
    if not same:
        return new
    old_body, new_body = old_parts[2], new_parts[2]
    gap = old_body[: len(old_body) - len(old_body.lstrip("\r\n"))]
    return old_parts[0] + gap + new_body.lstrip("\r\n")


def _split_front_matter(text: str) -> tuple[str, str, str] | None:
    """(front matter with its ``---`` lines, the YAML between them, the body), or None without front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[: index + 1]), "".join(lines[1:index]), "".join(lines[index + 1:])
    return None


_QUOTED_THEN_TEXT = re.compile(r"""(?:^|:\s|-\s)(["'])[^"']*\1\s*[^\s#,\]}]""")


def _syntax_hint(text: str, line0: int) -> str:
    """Advice for the commonest syntax error in Chinese content: text after a closing quote."""
    lines = text.splitlines()
    for candidate in lines[max(line0 - 1, 0):line0 + 1]:
        if _QUOTED_THEN_TEXT.search(candidate):
            return ("a value that starts with a quote must end with it: quote the whole value, for example "
                    "'\"三会一课\"与主题党日', or use Chinese quotes, for example “三会一课”与主题党日")
    return "check indentation and quoting on this line"


def read_yaml(file: Path, collect: bool = False) -> Document:
    """Read a whole YAML file strictly (see ``parse`` for ``collect``)."""
    return parse(_read_text(file), file, collect=collect)


@dataclass
class FrontMatterFile:
    """A Markdown file: its YAML front matter and its body."""

    meta: Document
    body: str
    body_line: int


def read_front_matter(file: Path, collect: bool = False) -> FrontMatterFile:
    """Read a MyST Markdown file whose YAML front matter sits between ``---`` lines."""
    text = _read_text(file)
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise ContentError([Problem(Location(file, 1, 1), "", "missing YAML front matter",
                                    "start the file with a '---' line, the fields, then '---'")])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            meta = parse("".join(lines[1:index]), file, first_line=2, collect=collect)
            return FrontMatterFile(meta, "".join(lines[index + 1:]), index + 2)
    raise ContentError([Problem(Location(file, 1, 1), "", "front matter is not closed",
                                "end the front matter with a '---' line")])


def _read_text(file: Path) -> str:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ContentError([Problem(Location(file), "", f"cannot read file: {error.strerror}")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError([Problem(Location(file, line, 1), "", "file is not valid UTF-8",
                                    "save it as UTF-8")]) from None
