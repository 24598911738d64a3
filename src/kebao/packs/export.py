"""Turn an executed course-pack notebook into the handbook and the trainer guide (HTML and PDF).

One notebook run and one nbconvert conversion serve both editions: our
template (``templates/nbconvert/kebao-pack``, nbconvert's ``basic`` body with
inputs hidden) puts outputs tagged ``trainer`` (see ``page.TRAINER_TAG``)
between markers, and the participant handbook drops what lies between them.

The markers cannot be forged by content. Every output is sanitised on its own
as the template writes it (:func:`seal_output`: comments removed, tags closed),
so an author's ``<!--/kebao:trainer-->`` in a module body or trainer note, or an
unclosed comment, never reaches the page; and the template's markers carry a
random token drawn for each conversion (:class:`Body`), so only they are read
as markers, even where a marker's text survives as an attribute's value.
We wrap each edition's body in a page with its cover, its contents (with page
numbers in the PDF) and our own CSS, so the HTML loads nothing from the
network. weasyprint makes the PDF from the same HTML (see docs/architecture.md).
"""

from __future__ import annotations

import concurrent.futures as cf
import html
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..labels import Language, label

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

_HEADING_ID = re.compile(r'(<h[1-6])\s+id="[^"]*"')
_SELF_CLOSED_LINK = re.compile(r"(<a\b[^<>]*?)\s*/>")
REMOVE_TAG = "remove"  # cells for people reading the notebook itself, never in a pack
# Our nbconvert template; it marks outputs tagged "trainer", the value of page.TRAINER_TAG.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "nbconvert"


@cache
def _exporter() -> Any:
    """One HTMLExporter per process, reused across packs."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.template_name = "kebao-pack"
    config.HTMLExporter.anchor_link_text = ""
    config.HTMLExporter.filters = {"kebao_seal": seal_output}
    return HTMLExporter(config=config)  # type: ignore[no-untyped-call]


@cache
def _css() -> str:
    return resources.files("kebao").joinpath("templates/pack.css").read_text(encoding="utf-8")


def _clean(nb: NotebookNode) -> NotebookNode:
    """A copy without run-specific metadata (times, papermill bookkeeping) and without the parameter cells."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & {"parameters", "injected-parameters"}:
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    return nb


def seal_output(fragment: str) -> str:
    """One output's HTML, sanitised on its own with its comments removed (the template's ``kebao_seal`` filter).

    Whatever an output holds (a forged marker, an unclosed comment or tag) ends with the output. nbconvert
    writes headings' anchors as ``<a class="anchor-link" … />``, which HTML parses as an open ``<a>`` that
    wraps everything after it: they are closed first.
    """
    from ..sanitize import clean_html

    return clean_html(_SELF_CLOSED_LINK.sub(r"\1></a>", fragment), comments=False)


@dataclass(frozen=True)
class Body:
    """Both editions' body: ``html`` with trainer-only outputs between the markers of ``token``."""

    html: str
    token: str

    @property
    def marks(self) -> tuple[str, str]:
        return f"<!--kebao:trainer:{self.token}-->", f"<!--/kebao:trainer:{self.token}-->"


def render_body(nb: NotebookNode) -> Body:
    """The notebook's outputs as sanitised HTML, trainer-only outputs between markers (see :func:`edition`)."""
    from ..sanitize import clean_html

    token = secrets.token_hex(16)  # drawn per conversion: nothing the content holds can name it
    body, _ = _exporter().from_notebook_node(_clean(nb), resources={"kebao_token": token})
    # Raw HTML in module bodies and notebook outputs passes the allow-list (no scripts, no event handlers).
    html_ = clean_html(_HEADING_ID.sub(r"\1", body))  # module pages repeat headings (教学流程): ids would clash
    return Body(html_, token)


def edition(body: Body, name: str) -> str:
    """The body for one edition: the participant handbook without the trainer-only outputs; no markers left."""
    start, end = body.marks
    parts = body.html.split(start)
    kept = [parts[0]]
    for part in parts[1:]:
        trainer, found, rest = part.partition(end)
        if not found:  # cannot happen with our template; refuse to guess where trainer material ends
            from ..errors import PackError

            raise PackError("the converted notebook has a trainer-only output without its end marker",
                            "report this as a bug of kebao's pack template")
        kept.append(rest if name == "participant" else trainer + rest)
    return "".join(kept)


def page_html(body: str, edition: str, title: str, cover: str, header: str, language: Language,
              large_print: bool = False) -> str:
    """A body wrapped in the edition's self-contained page: cover, contents, inline CSS, footer (images inline).

    ``cover`` is the edition's cover (HTML, :func:`kebao.packs.frontmatter.cover`); ``header`` runs at the top
    of every printed page after it; ``large_print`` sets the page for readers who need large type (seniors).
    The contents list the body's sections and the pages they start on (in the PDF); the body's tables get
    their column widths before weasyprint sees them (:func:`kebao.packs.tables.fixed_widths`).
    """
    from .tables import fixed_widths

    name = label("handbook" if edition == "participant" else "trainer_guide", language)
    body, contents = _contents(fixed_widths(body, large_print), language)
    lang = "zh-CN" if language == "zh" else "en"
    large = ' class="large-print"' if large_print else ""
    style = _css() + _running(header, large_print)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"{large}>\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)} · {html.escape(name)}</title>\n<style>\n{style}</style>\n</head>\n"
            f"<body>\n{cover}{contents}{body}\n"
            f'<footer class="pack">kebao 课包 · {html.escape(title)} · {html.escape(name)}</footer>\n'
            "</body>\n</html>\n")


_SECTION = re.compile(r"<h([12])([^>]*)>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _contents(body: str, language: Language) -> tuple[str, str]:
    """The body with numbered ids on its h1 and h2 headings, and the contents that link to them.

    In the PDF each entry ends in the page its section starts on (``target-counter`` in pack.css).
    """
    entries: list[tuple[str, str, str]] = []

    def number(match: re.Match[str]) -> str:
        anchor = f"s{len(entries) + 1}"
        entries.append((match[1], anchor, html.unescape(_TAG.sub("", match[3])).strip()))
        return f'<h{match[1]} id="{anchor}"{match[2]}>{match[3]}</h{match[1]}>'

    body = _SECTION.sub(number, body)
    items = "".join(f'<li class="level-{level}"><a href="#{anchor}">{html.escape(text)}</a></li>\n'
                    for level, anchor, text in entries)
    return body, (f'<nav class="contents">\n<h1 class="contents-title">{html.escape(label("contents", language))}'
                  f"</h1>\n<ul>\n{items}</ul>\n</nav>\n")


def _running(header: str, large_print: bool) -> str:
    """The printed pages' running header (none on the cover) and page numbers, larger in large print."""
    text = header.replace("\\", "\\\\").replace('"', '\\"')
    size, colour = ("12pt", "#000") if large_print else ("9pt", "#555")
    return (f'@page {{ @top-right {{ content: "{text}"; font-size: {size}; color: {colour}; }}\n'
            f"        @bottom-center {{ font-size: {size}; color: {colour}; }} }}\n"
            "@page :first { @top-right { content: none; } @bottom-center { content: none; } }\n")


def pdf_bytes(page: str) -> bytes:
    """An HTML page printed to PDF with weasyprint (fonts subset and embedded)."""
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=page).write_pdf()
    return pdf


def write_pdf(page: str, path: Path) -> Path:
    """Print an HTML page to a PDF file (see :func:`pdf_bytes`)."""
    path.write_bytes(pdf_bytes(page))
    return path


@contextmanager
def pdf_printer() -> Iterator[cf.Executor | None]:
    """A second process that prints PDFs while this one goes on, for a pack built alone on a machine with more
    than one core (a batch's workers keep the cores busy already); None on one core.

    It starts at once and imports weasyprint while the pack's notebook runs; it dies with this process
    (:func:`kebao.guard.watch_owner`) and is stopped when the block ends. weasyprint's output depends only on
    the page and the fonts, so a PDF printed there is byte for byte the one printed here.
    """
    if (os.cpu_count() or 1) < 2:
        yield None
        return
    import multiprocessing

    printer = cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_printer_init,
                                     initargs=(os.getpid(),))
    printer.submit(int)  # starts the process now: it imports while the notebook runs
    try:
        yield printer
    finally:
        printer.shutdown(wait=True, cancel_futures=True)


def _printer_init(owner: int) -> None:
    from ..guard import watch_owner

    watch_owner(owner)
    import weasyprint  # noqa: F401  (the import is the point: it is most of a first PDF's start)
