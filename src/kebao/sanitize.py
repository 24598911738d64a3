"""Safe HTML: the one sanitiser for HTML that authors or notebooks produce, and escaping for plain text.

Three kinds of text reach a page, and each has one rule:

* **Plain-text fields** (titles, partner, venue, outcomes, assessment…) are
  text, never markup: :func:`escape_markdown` before they enter Markdown,
  ``html.escape`` before they enter HTML. ``<script>`` in a title shows as
  ``<script>``.
* **Markdown bodies** (modules, cases, trainer notes) keep their formatting;
  raw HTML in them passes :func:`clean_html`.
* **Notebook outputs** (HTML a case or the pack notebook displays) pass
  :func:`clean_html` too.

:func:`clean_html` is an allow-list (ammonia, through nh3): known formatting
and table tags, ``class``/``id``/``title``, a few harmless CSS properties, and
URLs that are relative, ``http(s)``, ``mailto``, ``tel``, or ``data:image/…``
in an image's ``src``. Everything else goes: ``<script>`` and ``<style>`` with
their content, event handlers (``onerror``…), ``javascript:`` URLs, iframes,
objects, forms. Inline SVG (matplotlib's charts) becomes an
``<img src="data:image/svg+xml;base64,…">``, which draws the same picture but
can run nothing. :func:`removals` says, in words, what :func:`clean_html`
would take out of an author's fragment (``kebao validate`` reports it with
file and line, see :func:`markdown_problems`).

Packs sanitise the notebook's whole HTML body (:mod:`kebao.packs.export`); the
site sanitises every raw-HTML node of every page, Markdown and notebook
outputs alike (:mod:`kebao.sphinxext`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Location, Problem

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog
    from .model import Case, Module

# Tags whose content goes with them; any other tag that is not allowed is dropped and its text kept.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template",
                                  "textarea", "select", "frame", "frameset", "noembed", "noframes", "xmp",
                                  "plaintext", "math", "applet", "title", "head"})
ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "applet", "frame", "frameset", "form", "input",
                         "button", "base", "meta", "link", "noscript", "template", "math"})
EXTRA_TAGS = frozenset({"section", "main", "tfoot", "caption", "picture"})
GENERIC_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "style"})
EXTRA_ATTRIBUTES = {"img": {"loading"}, "table": {"border"}, "ol": {"type", "reversed"}, "li": {"value"}}
STYLE_PROPERTIES = frozenset({"text-align", "vertical-align", "width", "height", "max-width", "min-width",
                              "color", "background-color", "font-weight", "font-style", "white-space",
                              "padding", "padding-left", "padding-right", "margin-left", "border",
                              "border-collapse"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "data"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster", "background", "srcset",
                            "xlink:href", "longdesc", "usemap"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)
_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.I | re.S)
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown: every ASCII punctuation character backslash-escaped (CommonMark)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


@cache
def _allowed() -> tuple[frozenset[str], dict[str, set[str]]]:
    import nh3

    tags = frozenset(nh3.ALLOWED_TAGS) | EXTRA_TAGS
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    attributes["*"] = set(GENERIC_ATTRIBUTES)
    return tags, attributes


def url_allowed(tag: str, attribute: str, value: str) -> bool:
    """Whether the URL ``value`` of ``tag``'s ``attribute`` is safe: relative, http(s), mailto, tel, or an
    image's ``data:image/…`` source. Browsers ignore spaces and control characters in a scheme, so we do too."""
    if attribute not in URL_ATTRIBUTES:
        return True
    plain = _INVISIBLE.sub("", value)
    scheme = _SCHEME.match(plain)
    if scheme is None:
        return True  # relative (or a fragment): stays on the page's own site
    name = scheme[1].lower()
    if name == "data":
        return tag == "img" and attribute == "src" and bool(_DATA_IMAGE.match(plain))
    return name in URL_SCHEMES


def _filter(tag: str, attribute: str, value: str) -> str | None:
    return value if url_allowed(tag, attribute, value) else None


def _svg_as_image(match: re.Match[str]) -> str:
    svg = match[0]
    if "xmlns=" not in svg[:400]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="" src="data:image/svg+xml;base64,{data}">'


def clean_html(fragment: str, *, comments: bool = True) -> str:
    """``fragment`` with only allowed tags, attributes, CSS properties and URLs (see the module docstring).

    Comments are kept unless ``comments`` is False (the packs' trainer markers are comments, drawn around
    outputs sanitised without theirs: :func:`kebao.packs.export.seal_output`; a comment runs nothing).
    """
    import nh3

    tags, attributes = _allowed()
    return str(nh3.clean(_SVG.sub(_svg_as_image, fragment), tags=set(tags),
                         clean_content_tags=set(DROPPED_WITH_CONTENT - tags), attributes=attributes,
                         attribute_filter=_filter, strip_comments=not comments, link_rel=None,
                         url_schemes=set(URL_SCHEMES), filter_style_properties=set(STYLE_PROPERTIES)))


class _Removals(HTMLParser):
    """What :func:`clean_html` would remove from a fragment, in words (the same allow-list)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []  # (what, whether it could run something)
        self.tags, self.attributes = _allowed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            return  # drawn as an image, whatever it holds
        if tag in DROPPED_WITH_CONTENT:
            self.found.append((f"<{tag}> with its content", tag in ACTIVE_TAGS))
            return
        if tag not in self.tags:
            self.found.append((f"the <{tag}> tag (its text stays)", tag in ACTIVE_TAGS))
            return
        allowed = self.attributes["*"] | self.attributes.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                self.found.append((f"the {name}= attribute of <{tag}>", name.startswith("on")))
            elif not url_allowed(tag, name, value or ""):
                self.found.append((f"the URL {name}=\"{(value or '')[:40]}\" of <{tag}>", True))

    handle_startendtag = handle_starttag


def removals(fragment: str, *, active: bool = False) -> list[str]:
    """What :func:`clean_html` would take out of ``fragment``, one phrase each, in order; [] when nothing.

    With ``active`` only what could run something: scripts, frames, objects, forms, event handlers, URLs
    that are not allowed (formatting the allow-list drops, such as a ``<style>`` block, is left out).
    """
    parser = _Removals()
    parser.feed(_SVG.sub("<svg></svg>", fragment))
    parser.close()
    return list(dict.fromkeys(what for what, runs in parser.found if runs or not active))


def raw_html(body: str) -> Iterator[tuple[int, str]]:
    """(0-based line, fragment) of every raw-HTML block or inline tag in a Markdown ``body``, as MyST parses it
    (code blocks and code cells are code, not HTML)."""
    if "<" not in body:
        return
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(body)
    line = 0
    for token in tokens:
        if token.map is not None:
            line = token.map[0]
        if token.type == "html_block":
            yield line, token.content
        for child in token.children or ():
            if child.type == "html_inline":
                yield line, child.content


def content_warnings(catalog: Catalog) -> list[Problem]:
    """Raw HTML in every module's and case's body (trainer notes included) that packs and the site would change,
    located; ``kebao validate`` prints these as warnings and ``kebao check`` fails on them."""
    from .yamlio import read_front_matter

    problems = []
    bodies: list[tuple[Module | Case, str]] = [(m, m.body) for m in catalog.modules.values()]
    bodies += [(c, c.body) for c in catalog.cases.values()]
    for item, body in bodies:
        if "<" not in body:
            continue
        file = catalog.locate(item).file
        problems += markdown_problems(file, body, read_front_matter(file).body_line)
    return sorted(problems)


def output_removals(notebook: Path) -> list[str]:
    """What could run in an executed notebook's outputs and would be removed from a page: 'cell 3: <script>…'."""
    import json

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    found = []
    for index, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if "application/javascript" in data:
                found.append(f"cell {index}: a JavaScript output")
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else str(html)
            found += [f"cell {index}: {what}" for what in removals(html, active=True)]
    return found


def markdown_problems(file: Path, body: str, body_line: int) -> list[Problem]:
    """A located problem for each raw-HTML fragment of a Markdown body that :func:`clean_html` would change.

    ``body_line`` is the file line (1-based) the body starts on.
    """
    problems = []
    for line, fragment in raw_html(body):
        removed = removals(fragment)
        if removed:
            problems.append(Problem(Location(file, body_line + line, 1), "body",
                                    "warning: raw HTML that packs and the site remove: " + "; ".join(removed),
                                    "write it in Markdown or remove it: scripts, event handlers and "
                                    "javascript: links never reach a page"))
    return problems
