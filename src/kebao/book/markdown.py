"""Small, safe MyST Markdown writers for generated pages (escaping, links, tables)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+!|~$&^:=])")
_CJK = "\u2014\u2018\u2019\u201c\u201d\u2026\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def join_lines(text: str) -> str:
    """Whitespace runs become one space, except between Chinese characters (YAML folds lines with spaces)."""
    return _CJK_SPACE.sub("", " ".join(str(text).split()))


def esc(text: str) -> str:
    """``text`` as literal inline Markdown: ASCII punctuation escaped, lines joined."""
    return _PUNCTUATION.sub(r"\\\1", join_lines(text))


def doc(text: str, docname: str) -> str:
    """A link to another page by its docname relative to the repository root (``cases/x``, a ``.md`` file).

    A Markdown link (``[text](<project:/cases/x.md>)``), so any title builds: ``<``, ``&``, quotes,
    backticks and MyST syntax are escaped text.
    """
    return f"[{esc(text)}](<project:/{docname}.md>)"


def download(text: str, path: str) -> str:
    """A download link to a file given relative to the repository root (``[text](<path:/build/…zip>)``)."""
    return f"[{esc(text)}](<path:/{path}>)"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table; cells must already be inline Markdown (escape text with :func:`esc`)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fields(rows: Iterable[tuple[str, str]], css_class: str = "kebao-fields") -> str:
    """A two-column table of name/value pairs without a header row (values are inline Markdown)."""
    lines = ["```{list-table}", f":class: {css_class}", ":widths: 22 78", ""]
    for name, value in rows:
        lines += [f"* - {name}", f"  - {value}"]
    return "\n".join(lines) + "\n```\n"


def grid(header: Sequence[str], rows: Iterable[Sequence[str]], css_class: str) -> str:
    """A table with a header row and a CSS class (for column widths in book/_static/kebao.css)."""
    lines = ["```{list-table}", ":header-rows: 1", f":class: {css_class}", ""]
    for row in (header, *rows):
        lines += [f"* - {row[0] or ' '}", *(f"  - {cell or ' '}" for cell in row[1:])]
    return "\n".join(lines) + "\n```\n"


def bullets(items: Iterable[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


def number(value: float) -> str:
    """4.0 -> '4', 4.5 -> '4.5'."""
    return f"{value:g}"
