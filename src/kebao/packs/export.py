"""Turn an executed course-pack notebook into the handbook and the trainer guide (HTML and PDF).

One notebook run serves both editions: outputs tagged ``trainer`` (see
``page.TRAINER_TAG``) are removed for the participant handbook. nbconvert's
``basic`` template gives the body (inputs hidden); we wrap it in a page with
our own CSS, so the HTML loads nothing from the network. weasyprint makes the
PDF from the same HTML (see docs/architecture.md for why).
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..labels import Language, label
from .page import TRAINER_TAG

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

_HEADING_ID = re.compile(r'(<h[1-6])\s+id="[^"]*"')
REMOVE_TAG = "remove"  # cells for people reading the notebook itself, never in a pack


@cache
def _exporter(edition: str) -> Any:
    """One HTMLExporter per edition per process, reused across packs."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
    config.TagRemovePreprocessor.remove_single_output_tags = {TRAINER_TAG} if edition == "participant" else set()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.template_name = "basic"
    config.HTMLExporter.anchor_link_text = ""
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


def render_html(nb: NotebookNode, edition: str, title: str, subtitle: str, language: Language) -> str:
    """The edition's complete HTML page, self-contained (images inline, CSS inline)."""
    body, _ = _exporter(edition).from_notebook_node(_clean(nb))
    body = _HEADING_ID.sub(r"\1", body)  # module pages repeat headings (教学流程): ids would clash
    name = label("handbook" if edition == "participant" else "trainer_guide", language)
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if language == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)} · {html.escape(name)}</title>\n<style>\n{_css()}</style>\n</head>\n"
            f'<body>\n<header class="pack"><div class="edition">{html.escape(name)}</div>'
            f"<div>{html.escape(subtitle)}</div></header>\n{body}\n"
            f'<footer class="pack">kebao 课包 · {html.escape(title)}</footer>\n</body>\n</html>\n')


def write_pdf(page: str, path: Path) -> Path:
    """Print an HTML page to PDF with weasyprint (fonts subset and embedded)."""
    import weasyprint

    weasyprint.HTML(string=page).write_pdf(path)
    return path


def write_editions(nb: NotebookNode, folder: Path, title: str, subtitle: str, language: Language) -> list[Path]:
    """handbook.html/.pdf (participants) and trainer-guide.html/.pdf in ``folder``."""
    written = []
    for edition, stem in (("participant", "handbook"), ("trainer", "trainer-guide")):
        page = render_html(nb, edition, title, subtitle, language)
        html_path = folder / f"{stem}.html"
        html_path.write_text(page, encoding="utf-8")
        written += [html_path, write_pdf(page, folder / f"{stem}.pdf")]
    return written
